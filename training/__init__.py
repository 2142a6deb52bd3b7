"""Training-only code: the MNIST reader and downloader, augmentation and the training report."""

"""Tests of training/ and train.py: data, augmentation, the model and its checkpoints,
calibration."""

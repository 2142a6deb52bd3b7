"""The recognition core, with no web framework: preprocessing, the model and its checkpoint,
inference.

Data flows one way: strokes or an image -> preprocess (28x28, MNIST's way)
-> predictor (the model's one inference path) -> an answer. Segmentation,
calibration and explanation join here as modules of their own.
"""

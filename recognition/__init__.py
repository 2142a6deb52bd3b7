"""The recognition core, with no web framework: preprocessing, the model and its checkpoint,
inference, and the answer as a type.

Data flows one way: strokes or an image -> numbers.read_number, which segments
the drawing (segment) and renders each candidate digit (preprocess: 28x28,
MNIST's way) -> classifier (28x28 -> calibrated probabilities, the model's one
inference path) -> answer.judge (a DigitAnswer, and a NumberAnswer for the
whole) -> to_json, once. Nothing below calls back up: the classifier knows no
answer, the answer no classifier.
"""

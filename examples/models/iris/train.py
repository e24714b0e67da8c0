"""Trains the iris example: python3 train.py (Debian's python3 with python3-sklearn and python3-joblib).

Writes iris.joblib, the model to push, and inputs.jsonl, one record a line: the input of an
inference job (and each line one instance of a predict). Nothing is downloaded: scikit-learn ships
the iris data.
"""
import json

import joblib
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

iris = load_iris()
model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
joblib.dump(model, "iris.joblib")
with open("inputs.jsonl", "w") as inputs:
    for row in iris.data:
        inputs.write(json.dumps(dict(zip(FEATURES, map(float, row)))) + "\n")
print("iris.joblib: accuracy %.3f on the training data; inputs.jsonl: %d records"
      % (model.score(iris.data, iris.target), len(iris.data)))

"""Trains a small real model and writes a model bundle for dcloud_serve.py's tests.

python3 train_models.py sklearn|torch DIR writes into DIR the artifact, contract.py, config.json,
instances.json (requests to send) and expected.json (the predictions the model gives for them
here, postprocessed by the same contract): what /predict must answer.
"""
import json
import os
import sys

SKLEARN_CONTRACT = '''
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def preprocess(request):
    return [float(request[feature]) for feature in FEATURES]


def postprocess(prediction):
    return {"class": int(prediction)}
'''

TORCH_CONTRACT = '''
def preprocess(request):
    return request["x"]


def postprocess(prediction):
    return {"scores": prediction}
'''


def load_contract(directory):
    import importlib.util

    spec = importlib.util.spec_from_file_location("contract", os.path.join(directory, "contract.py"))
    contract = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(contract)
    return contract


def sklearn_bundle(directory):
    import joblib
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    iris = load_iris()
    model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
    joblib.dump(model, os.path.join(directory, "model.joblib"))
    names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
    # One of each class, and more: a batch whose order matters.
    rows = [iris.data[i] for i in (0, 60, 120, 10, 140, 75)]
    instances = [dict(zip(names, map(float, row))) for row in rows]
    return SKLEARN_CONTRACT, instances, lambda rows: list(model.predict(rows))


def torch_bundle(directory):
    import torch

    torch.manual_seed(14)
    module = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    torch.jit.script(module).save(os.path.join(directory, "model.pt"))
    instances = [{"x": [float(v) for v in torch.randn(4).tolist()]} for _ in range(5)]

    def predict(rows):
        with torch.no_grad():
            return [row.tolist() for row in module(torch.tensor(rows, dtype=torch.float32))]

    return TORCH_CONTRACT, instances, predict


def main():
    kind, directory = sys.argv[1], sys.argv[2]
    contract_text, instances, predict = (sklearn_bundle if kind == "sklearn" else torch_bundle)(directory)
    with open(os.path.join(directory, "contract.py"), "w") as out:
        out.write(contract_text)
    with open(os.path.join(directory, "config.json"), "w") as out:
        json.dump({"name": "iris-" + kind}, out)
    contract = load_contract(directory)
    predictions = predict([contract.preprocess(instance) for instance in instances])
    expected = [contract.postprocess(prediction) for prediction in predictions]
    with open(os.path.join(directory, "instances.json"), "w") as out:
        json.dump(instances, out)
    with open(os.path.join(directory, "expected.json"), "w") as out:
        json.dump(expected, out)


if __name__ == "__main__":
    main()

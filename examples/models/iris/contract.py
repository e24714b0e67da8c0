"""The iris model's contract: what one request becomes as the model's input, and what one of its
predictions becomes as the answer. DCloud's serving wrapper batches the requests between the two."""

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SPECIES = ["setosa", "versicolor", "virginica"]


def preprocess(request):
    """One instance, e.g. {"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}."""
    missing = [feature for feature in FEATURES if feature not in request]
    if missing:
        raise ValueError("missing " + ", ".join(missing))
    return [float(request[feature]) for feature in FEATURES]


def postprocess(prediction):
    return {"class": int(prediction), "species": SPECIES[int(prediction)]}

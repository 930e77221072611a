"""Validates request bodies against Kubernetes' published schemas, offline.

Usage: validate_bodies.py KUBERNETES_VERSION FILE...

Each FILE is one JSON request body the Kubernetes runtime sent (captured by the stand-in API
server). Objects (Pod, Secret, PersistentVolumeClaim, SelfSubjectAccessReview) are validated with
kubernetes-validate in strict mode (unknown fields are errors); DeleteOptions, whose schema is
published as meta/v1, is validated against that schema directly. Prints one line per file and
exits 1 if any body is invalid or has no schema.
"""
import json
import os
import sys
import warnings

import jsonschema
import kubernetes_validate


def validate(document, version):
    if document.get("kind") == "DeleteOptions":
        # Published under meta/v1 (deleteoptions-meta-v1.json); the request's apiVersion is "v1".
        path = None
        base = os.path.join(os.path.dirname(kubernetes_validate.__file__), "kubernetes-json-schema")
        for candidate in ("v%s-local-strict" % version, "v%s-local" % version):
            file = os.path.join(base, candidate, "deleteoptions-meta-v1.json")
            if os.path.exists(file):
                path = file
                break
        if path is None:
            raise RuntimeError("no DeleteOptions schema for %s" % version)
        with open(path) as handle:
            schema = json.load(handle)
        warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver: still the simplest offline $ref
        resolver = jsonschema.RefResolver("file://" + os.path.dirname(path) + "/", schema)
        jsonschema.validate(document, schema, resolver=resolver)
        return "DeleteOptions"
    kubernetes_validate.validate(document, version, strict=True)
    return document.get("kind")


def main():
    version = sys.argv[1]
    failures = 0
    for name in sys.argv[2:]:
        with open(name) as handle:
            document = json.load(handle)
        try:
            kind = validate(document, version)
            print("ok %s (%s)" % (os.path.basename(name), kind))
        except Exception as error:  # every failure is reported, then the exit code says it
            failures += 1
            message = getattr(error, "message", None) or str(error)
            print("INVALID %s: %s" % (os.path.basename(name), message.splitlines()[0] if message else error))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

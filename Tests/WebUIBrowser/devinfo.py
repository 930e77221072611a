"""Where a running `netclode dev` is and its API token, from its dev.json."""
import json
import sys


def load(path=".netclode-dev/dev.json"):
    with open(path) as file:
        dev = json.load(file)
    return dev["controlPlaneURL"].rstrip("/"), dev["apiToken"]


def from_argv():
    return load(sys.argv[1] if len(sys.argv) > 1 else ".netclode-dev/dev.json")

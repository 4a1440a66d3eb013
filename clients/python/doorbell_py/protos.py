"""Generates the protobuf modules from the repository's .proto files with protoc and imports them.

Generated code is never committed: it is rebuilt into a build directory (clients/python/build by default,
DOORBELL_PY_BUILD to override) whenever a .proto file is newer than its output.
"""
import fcntl
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.abspath(os.path.join(_HERE, "..", "..", ".."))
PROTO_ROOT = os.path.join(REPO_ROOT, "proto", "src", "main", "proto")
BUILD_DIR = os.environ.get("DOORBELL_PY_BUILD", os.path.join(_HERE, "..", "build"))
_NAMES = ("keys", "clip", "link", "store")


def _stale(out_dir):
  for name in _NAMES:
    src = os.path.join(PROTO_ROOT, "doorbell", "v1", name + ".proto")
    out = os.path.join(out_dir, "doorbell", "v1", name + "_pb2.py")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
      return True
  return False


def generate(out_dir=BUILD_DIR):
  """Runs protoc into a fresh directory next to out_dir and renames it into place, under an exclusive lock on a file
  beside it: several processes started at once on a fresh checkout (the Java tests run a few) each find the
  modules missing, and without the lock one would move the directory another was renaming into place."""
  out_dir = os.path.abspath(out_dir)
  if not _stale(out_dir):
    return out_dir
  parent = os.path.dirname(out_dir)
  os.makedirs(parent, exist_ok=True)
  with open(os.path.join(parent, ".protoc.lock"), "a") as lock:
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
      if _stale(out_dir):
        _generate_into(out_dir, parent)
    finally:
      fcntl.flock(lock, fcntl.LOCK_UN)
  return out_dir


def _generate_into(out_dir, parent):
  tmp = tempfile.mkdtemp(prefix=".protoc-", dir=parent)
  try:
    sources = [os.path.join("doorbell", "v1", n + ".proto") for n in _NAMES]
    subprocess.run(["protoc", "-I", PROTO_ROOT, "--python_out=" + tmp] + sources, check=True)
    gen = os.path.join(out_dir, "doorbell")
    if os.path.exists(gen):
      old = tempfile.mkdtemp(prefix=".old-", dir=parent)
      os.rename(gen, os.path.join(old, "doorbell"))
      shutil.rmtree(old, ignore_errors=True)
    os.makedirs(out_dir, exist_ok=True)
    os.rename(os.path.join(tmp, "doorbell"), gen)
  finally:
    shutil.rmtree(tmp, ignore_errors=True)


def _load():
  out_dir = generate()
  if out_dir not in sys.path:
    sys.path.insert(0, out_dir)
  return tuple(importlib.import_module("doorbell.v1." + n + "_pb2") for n in _NAMES)


keys_pb2, clip_pb2, link_pb2, store_pb2 = _load()

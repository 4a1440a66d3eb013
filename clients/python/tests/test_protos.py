"""protos.generate on a fresh checkout: several processes at once (the Java tests start a few) must all get a
complete set of modules."""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = os.path.dirname(HERE)

_CHILD = """
import sys
sys.path.insert(0, %r)
from doorbell_py import protos
out = protos.generate(sys.argv[1])
sys.path.insert(0, out)
import doorbell.v1.clip_pb2
"""


class GenerateTest(unittest.TestCase):

  def test_generate_manyProcessesOnAFreshDirectory_allSucceed(self):
    for _ in range(3):
      with tempfile.TemporaryDirectory() as parent:
        out = os.path.join(parent, "build")
        children = [subprocess.Popen([sys.executable, "-c", _CHILD % CLIENT, out], stderr=subprocess.PIPE)
                    for _ in range(8)]
        for child in children:
          _, err = child.communicate(timeout=60)
          self.assertEqual(0, child.returncode, err.decode(errors="replace"))
        self.assertEqual([], [n for n in os.listdir(parent) if n.startswith((".protoc-", ".old-"))])


if __name__ == "__main__":
  unittest.main()

"""Runs every test module here and ends with one line, "N passed, N failed", that scripts can match."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
  suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
  result = unittest.TextTestRunner(verbosity=int(os.environ.get("VERBOSE", "1"))).run(suite)
  failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
  passed = result.testsRun - failed - len(result.skipped)
  print("%d passed, %d failed" % (passed, failed))
  return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
  sys.exit(main())

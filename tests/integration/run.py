"""run.py: runs every integration suite against the stack scripts/dev started and
ends with the line "integration: N passed, N failed"."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# In this order: the rate-limit suite spends budgets, and the logs suite reads what
# every other suite left behind.
SUITES = ["test_http", "test_auth", "test_jwt_keys", "test_tenancy", "test_members",
          "test_taxonomy", "test_products", "test_customers", "test_customer_lists",
          "test_health", "test_diet_rules", "test_idempotency", "test_queue", "test_webhooks",
          "test_retention", "test_pool", "test_database",
          "test_tools", "test_secrets", "test_ratelimit", "test_zz_logs"]


def main():
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    only = sys.argv[1:]
    unlisted = sorted(f[:-3] for f in os.listdir(HERE)
                      if f.startswith("test_") and f.endswith(".py") and f[:-3] not in SUITES)
    if unlisted:
        print("integration: suites missing from run.py SUITES: %s" % ", ".join(unlisted))
        return 1
    for name in (only or SUITES):
        suite.addTests(loader.loadTestsFromName(name))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    # A test whose subtests fail has one entry per failed subtest: count it once.
    failed = len({getattr(t, "test_case", t).id() for t, _ in result.failures + result.errors})
    passed = result.testsRun - failed - len(result.skipped)
    print("integration: %d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

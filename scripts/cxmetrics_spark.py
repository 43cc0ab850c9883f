"""The cxmetrics command for spark-submit, which runs a Python file rather than a module:

    spark-submit --master yarn scripts/cxmetrics_spark.py --db serving.duckdb build-measures --lake DIR --engine spark

The Spark session is the one spark-submit configured (its master, executors and memory).
"""
import sys

from cxmetrics.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""``python -m tests.bench [--only GROUP]``: see tests/bench/runner.py."""

from tests.bench.runner import main

raise SystemExit(main())

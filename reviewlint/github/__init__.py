"""``reviewlint review``: findings posted as a pull-request review through the GitHub REST API.

- :mod:`reviewlint.github.client`: one ``httpx.Client`` with timeouts, bounded retries with
  backoff and jitter, rate-limit handling and pagination;
- :mod:`reviewlint.github.auth`: ``GITHUB_TOKEN`` or GitHub App (RS256 JWT → installation token);
- :mod:`reviewlint.github.diff`: unified-diff hunks → the lines a pull request added;
- :mod:`reviewlint.github.review`: which findings go inline, the summary, re-runs, check runs;
- :mod:`reviewlint.github.command`: the click command and its exit codes.
"""

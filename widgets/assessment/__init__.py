"""Measuring learning across the course: the pre-test and the post-test (parallel forms drawn from the
case bank and the decision points).  Above the topics (it draws on candidacy and procedures), below
classroom (whose class results compute the gain)."""

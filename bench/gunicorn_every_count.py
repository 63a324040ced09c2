"""gunicorn settings for ``bench.throughput --every-count``: no list keeps a count between requests."""


def post_worker_init(worker):
    from admin.listing import paging

    paging.CAPPED_FOR_SECONDS = 0

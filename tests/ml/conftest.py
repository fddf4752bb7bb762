import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(autouse=True, scope="session")
def _one_thread_per_test_process():
    # OpenMP threads of the gradient boosting fight badly on a shared 2-core machine.
    with threadpool_limits(limits=1):
        yield

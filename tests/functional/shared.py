# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.


"""One run cache for the functional classes of a test run.

Every ``review`` starts with the canonical test's confined run and its
assertion x mutant matrix (14 runs of the scenario); a class with a cache
of its own pays for both again, and versions two corpora share run once
per class instead of once.  The cache is keyed by content (the versions,
nova's concurrency mode, the test and the mutants), so classes that only
read verdicts can share one: :func:`cache_home` is that directory, as an
``XDG_CACHE_HOME``.

tox points ``NRC_FUNCTIONAL_CACHE`` at a directory in the environment's
``envtmpdir``, which tox empties at the start of every run: one cache per
tox environment (so per nova mode) and per run, shared by the stestr
workers.  Without it (``stestr run`` by hand) each test process makes a
private one and removes it at exit.

:func:`warm` fills it with the canonical run and the matrix once, under a
file lock, so that concurrent workers do not both compute them; a matrix
with a broken run is not kept (the next class measures it again).  Classes
that need a cache no other test touches (the hostile reviews try to
forge it) keep their own and :func:`seed` it with the matrix only.
"""

import atexit
import fcntl
import glob
import os
import shutil
import subprocess
import sys
import tempfile

ENV = 'NRC_FUNCTIONAL_CACHE'
_WARM_REVIEW = 'No security defects are detected in the code.\n'
_private = None


def cache_home():
    """The shared ``XDG_CACHE_HOME`` of this test run (created)."""
    global _private
    path = os.environ.get(ENV)
    if not path:
        if _private is None:
            _private = tempfile.mkdtemp(prefix='nrc-shared-cache-')
            atexit.register(shutil.rmtree, _private, True)
        path = _private
    os.makedirs(path, exist_ok=True)
    return path


def _matrix_dir(home):
    return os.path.join(home, 'nova-resize-checks', 'matrix')


def warm():
    """Put the canonical run and the matrix in the shared cache, once.

    Runs ``review`` on a review that proposes nothing, which measures
    both and stores them.  Returns the cache home.  A failure is not
    raised here: the class's own run meets it again and its tests report
    it with the command's output.
    """
    home = cache_home()
    done = os.path.join(home, '.warm-done')
    tried = os.path.join(home, '.warm-tried')
    with open(os.path.join(home, '.warm.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if os.path.exists(done):
                if _matrix_is_sound(home):
                    return home
                # A class's own review measured it again, and it broke.
                os.unlink(done)
            elif not _matrix_is_sound(home) and os.path.exists(tried):
                # Measured here once already and it broke: each class
                # measures for itself (as it would with a cache of its own)
                # rather than paying for this run as well.
                return home
            with open(tried, 'w'):
                pass
            review = os.path.join(home, 'warm-review.txt')
            with open(review, 'w') as f:
                f.write(_WARM_REVIEW)
            proc = subprocess.run(
                [sys.executable, '-m', 'nova_resize_checks.cli', 'review',
                 '--format', 'json', review],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                env=dict(os.environ, XDG_CACHE_HOME=home), timeout=3600)
            if proc.returncode == 0 and _matrix_is_sound(home):
                with open(done, 'w'):
                    pass
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return home


def _matrix_is_sound(home):
    """Whether the cached matrix has every run; else it is dropped.

    A scenario that broke (nova's waits give up on an overloaded machine)
    is not the matrix: shared, it would fail every class that reads it,
    so it is removed and the next :func:`warm` measures again.
    """
    from nova_resize_checks import matrix

    found = matrix.cached(directory=_matrix_dir(home))
    if found is not None and not found.broken():
        return True
    for path in glob.glob(os.path.join(_matrix_dir(home), '*.json')):
        os.unlink(path)
    return False


def seed(home):
    """Copy the shared matrix into another cache home (nothing else)."""
    source = _matrix_dir(warm())
    target = _matrix_dir(home)
    os.makedirs(target, exist_ok=True)
    for path in glob.glob(os.path.join(source, '*.json')):
        shutil.copy(path, target)
    return home

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


"""Where the canonical regression test and its reference texts live.

The meta-check applies reviews to the canonical test
(``tests/functional/test_bug_1825537.py``).  From a checkout it is read
there; an installed package carries a copy as data under
``<prefix>/share/nova-resize-checks/``.
"""

import os
import sys

from nova_resize_checks import env

FILENAME = 'test_bug_1825537.py'
UPSTREAM_MODULE = 'nova.tests.functional.regressions.test_bug_1825537'
# Where nova keeps it, in a source tree or a git ref.
UPSTREAM_PATH = UPSTREAM_MODULE.replace('.', '/') + '.py'


def candidates():
    package = os.path.dirname(os.path.abspath(__file__))
    return [
        os.path.join(os.path.dirname(package), 'tests', 'functional',
                     FILENAME),
        os.path.join(sys.prefix, 'share', 'nova-resize-checks', FILENAME),
    ]


def test_path():
    for path in candidates():
        if os.path.isfile(path):
            return path
    raise env.EnvironmentProblem(
        'the canonical regression test was not found; looked in %s'
        % ', '.join(candidates()))


def read_test():
    with open(test_path()) as f:
        return f.read()


def upstream_test():
    """Nova's own copy of the regression test, if the install has one.

    Found by path, not imported: importing nova.tests monkey-patches the
    process for eventlet.
    """
    try:
        package = env._nova_package_dir()
    except env.EnvironmentProblem:
        return None
    path = os.path.join(package, *UPSTREAM_MODULE.split('.')[1:]) + '.py'
    if not os.path.isfile(path):
        return None
    with open(path) as f:
        return f.read()


def nova_reader(path):
    """Original text of a nova source file such as nova/compute/manager.py.

    Only paths inside the installed nova package are served.
    """
    base = os.path.dirname(env._nova_package_dir())
    full = os.path.realpath(os.path.join(base, path))
    nova_dir = os.path.realpath(env._nova_package_dir())
    if not full.startswith(nova_dir + os.sep) or not full.endswith('.py'):
        raise ValueError('%s is not a python file of the installed nova'
                         % path)
    with open(full) as f:
        return f.read()

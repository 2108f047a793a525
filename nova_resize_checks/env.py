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


"""What nova and placement the environment holds, and whether they can run.

Everything here answers without starting nova: the CLI uses it to fail with
a clear message (exit 2) before any scenario is attempted.
"""

import functools
import hashlib
import importlib.metadata
import importlib.util
import os
import sys

from packaging import version as pkg_version

# The oldest releases whose functional framework runs the scenario on the
# Python versions this package supports (2023.2 "Bobcat").  Older trees can
# still be judged statically by the backport check.
MIN_NOVA = '28.0.0'
MIN_PLACEMENT = '10.0.0'

PASTE_INI = os.path.join('etc', 'nova', 'api-paste.ini')

INSTALL_HINT = ('Install the test environment with "pip install '
                'nova-resize-checks[test]" or run through '
                '"tox -e functional".')


_PASTE_INI = None


class EnvironmentProblem(Exception):
    """The environment cannot run the scenario; the message says why."""


def distribution_version(name):
    """Return the installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def concurrency():
    """nova's concurrency mode for runs started from this process.

    nova reads ``OS_NOVA_DISABLE_EVENTLET_PATCHING`` (true: native
    threads); runs in a child inherit it.
    """
    value = os.environ.get('OS_NOVA_DISABLE_EVENTLET_PATCHING', '')
    return ('native threading' if value.strip().lower() in
            ('1', 'true', 'yes', 'on') else 'eventlet')


@functools.lru_cache(maxsize=1)
def code_digest():
    """A digest of this package's own source, for cache keys.

    The distribution's version does not move while a checkout is worked
    on (an editable install keeps the version it was installed with), so
    caches of what the code decides (a review's preparation, a run's
    result) are keyed by the code itself as well.
    """
    digest = hashlib.sha256()
    root = os.path.dirname(os.path.abspath(__file__))
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(('.py', '.json')):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode())
                with open(path, 'rb') as f:
                    digest.update(hashlib.sha256(f.read()).digest())
    return digest.hexdigest()[:16]


def versions():
    """Versions of the parts that decide the outcome, for reports."""
    return {
        'nova': distribution_version('nova'),
        'openstack-placement': distribution_version('openstack-placement'),
        'nova-resize-checks': distribution_version('nova-resize-checks'),
        'python': '%d.%d.%d' % sys.version_info[:3],
    }


def _check_one(dist, module, minimum, what):
    found = distribution_version(dist)
    if found is None or importlib.util.find_spec(module) is None:
        raise EnvironmentProblem(
            '%s is not installed (the "%s" distribution providing the "%s" '
            'package). %s' % (what, dist, module, INSTALL_HINT))
    try:
        too_old = pkg_version.Version(found) < pkg_version.Version(minimum)
    except pkg_version.InvalidVersion:
        # Development builds of a checkout can carry odd versions; let the
        # functional framework decide rather than refusing here.
        too_old = False
    if too_old:
        raise EnvironmentProblem(
            '%s %s is too old to run the scenario on Python %d.%d: need %s '
            'or newer. Older trees can still be judged statically with '
            '"nova-resize-checks backport --nova-source PATH".'
            % (what, found, sys.version_info[0], sys.version_info[1],
               minimum))
    return found


def check_environment():
    """Raise EnvironmentProblem unless the scenario can run here."""
    _check_one('nova', 'nova', MIN_NOVA, 'nova')
    _check_one('openstack-placement', 'placement', MIN_PLACEMENT,
               'openstack-placement')
    for dist, module in (('wsgi-intercept', 'wsgi_intercept'),
                         ('oslotest', 'oslotest')):
        if importlib.util.find_spec(module) is None:
            raise EnvironmentProblem(
                "%s is not installed; nova's functional framework needs it. "
                "%s" % (dist, INSTALL_HINT))
    if importlib.util.find_spec('nova.tests.functional') is None:
        raise EnvironmentProblem(
            'the installed nova has no functional test framework '
            '(nova.tests.functional); install nova from PyPI or a source '
            'checkout, not a distribution package that strips tests.')
    find_api_paste_ini()


def _nova_package_dir():
    spec = importlib.util.find_spec('nova')
    if spec is None or not spec.submodule_search_locations:
        raise EnvironmentProblem('nova is not installed. %s' % INSTALL_HINT)
    return os.path.abspath(list(spec.submodule_search_locations)[0])


def paste_ini_candidates():
    """Places where api-paste.ini can be, most specific first.

    A source checkout (plain or ``pip install -e``) keeps it beside the
    ``nova`` package, where nova's ConfFixture looks.  A wheel installs it as
    data under the environment's prefix; the distribution's RECORD says
    exactly where.
    """
    candidates = [os.path.join(os.path.dirname(_nova_package_dir()),
                               PASTE_INI)]
    try:
        dist = importlib.metadata.distribution('nova')
    except importlib.metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for entry in dist.files or ():
            if str(entry).replace('\\', '/').endswith('etc/nova/'
                                                      'api-paste.ini'):
                candidates.append(
                    os.path.abspath(str(dist.locate_file(entry))))
    for prefix in (sys.prefix, sys.base_prefix):
        candidates.append(os.path.join(prefix, PASTE_INI))
    return candidates


def find_api_paste_ini():
    """Return the path of nova's api-paste.ini or raise EnvironmentProblem.

    The answer is kept for the life of the process (every functional test
    asks); a failed search is not kept.
    """
    global _PASTE_INI
    if _PASTE_INI and os.path.isfile(_PASTE_INI):
        return _PASTE_INI
    candidates = paste_ini_candidates()
    for path in candidates:
        if os.path.isfile(path):
            _PASTE_INI = path
            return path
    raise EnvironmentProblem(
        "nova's api-paste.ini was not found; looked in: %s. Reinstall nova "
        "(the wheel ships it as data under etc/nova)." % ', '.join(
            dict.fromkeys(candidates)))

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


"""Fixtures that let nova's functional framework run from an installed nova.

Nova's ``ConfFixture`` points ``[wsgi]api_paste_config`` at
``$state_path/etc/nova/api-paste.ini``, that is next to the ``nova``
package.  That is right for a source checkout (and ``pip install -e``), but a
wheel installs the file under ``<prefix>/etc/nova/`` and every functional
test then errors with ``ConfigNotFound`` in ``OSAPIFixture``.  Instead of
copying the file into site-packages, :class:`NovaFromWheelFixture` wraps
``ConfFixture.setUp`` so that, right after nova sets its defaults, the
default for ``api_paste_config`` names the file that really exists.
"""

import functools

import fixtures

from nova_resize_checks import env

_MARK = '_nova_resize_checks_wrapped'


def _wrapped_conf_setup(original, paste_ini):
    @functools.wraps(original)
    def setUp(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.conf.set_default('api_paste_config', paste_ini, group='wsgi')
    setattr(setUp, _MARK, True)
    return setUp


class NovaFromWheelFixture(fixtures.Fixture):
    """Make nova's ConfFixture find api-paste.ini wherever nova put it.

    Use it before nova's ``TestCase.setUp`` runs (nova's ConfFixture is
    created there).  Nothing on disk is written; the patch is undone on
    cleanup.
    """

    def _setUp(self):
        from nova.tests.fixtures import conf as conf_fixtures

        self.paste_ini = env.find_api_paste_ini()
        original = conf_fixtures.ConfFixture.setUp
        if getattr(original, _MARK, False):
            # Already wrapped process-wide (see install_process_wide).
            return
        self.useFixture(fixtures.MonkeyPatch(
            'nova.tests.fixtures.conf.ConfFixture.setUp',
            _wrapped_conf_setup(original, self.paste_ini)))


def install_process_wide():
    """Apply the same fix for the rest of this process.

    For runners that execute test files they do not control (a review's
    version of the regression test subclasses nova's own base classes).
    Returns the api-paste.ini path in use.
    """
    from nova.tests.fixtures import conf as conf_fixtures

    paste_ini = env.find_api_paste_ini()
    original = conf_fixtures.ConfFixture.setUp
    if not getattr(original, _MARK, False):
        conf_fixtures.ConfFixture.setUp = _wrapped_conf_setup(
            original, paste_ini)
    return paste_ini

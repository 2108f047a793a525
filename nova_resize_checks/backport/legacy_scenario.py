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

"""The bug 1825537 scenario for old nova releases (Pike 16.x to Stein 19.x).

Run as a script with the python of a virtualenv that holds an old nova (the
``matrix-<series>-<release>`` tox environments do)::

    python nova_resize_checks/backport/legacy_scenario.py --output FILE

It imports nothing from this package (the package needs Python 3.10 and
the old series ran on 2.7 to 3.7), so it is written for every Python from
2.7 on.  It writes the same observation document as
``nova_resize_checks.observer`` (see ``nova_resize_checks.outcome``), plus
``adaptations``: how it fitted the nova it found.  What it adapts to:

* where ``ProviderUsageBaseTestCase`` lives (``integrated_helpers`` from
  Rocky on, ``test_servers`` before);
* where nova's ``ConfFixture`` lives (``nova.tests.fixtures.conf``, or
  ``nova.tests.unit.conf_fixture``) so that api-paste.ini is found under
  the environment's prefix where a wheel puts it;
* the failing driver: old nova has no ``FakeFinishMigrationFailDriver``,
  so ours is registered as ``nova.virt.nrc_legacy``;
* the helper API: ``_wait_for_state_change`` and
  ``_wait_for_migration_status`` are called with or without the API client
  argument depending on their signature; helpers a release lacks
  (``_get_provider_usages``, ``_resources_from_flavor``,
  ``get_migration_uuid_for_instance``, ...) are replaced by direct
  placement or database queries.
"""

from __future__ import print_function

import argparse
import inspect
import json
import os
import platform
import site
import sys
import tempfile
import time
import traceback

DRIVER_ALIAS = 'nrc_legacy'
PASTE_INI = os.path.join('etc', 'nova', 'api-paste.ini')
_MIGRATION_FINAL = ('error', 'failed', 'finished', 'confirmed', 'reverted',
                    'done', 'completed')
_SERVER_SETTLED = ('ERROR', 'ACTIVE', 'VERIFY_RESIZE', 'SHUTOFF')


def _now():
    return getattr(time, 'monotonic', time.time)()


def _distribution_version(name):
    try:
        from importlib import metadata
        return metadata.version(name)
    except Exception:
        pass
    try:
        import pkg_resources
        return pkg_resources.get_distribution(name).version
    except Exception:
        return None


def versions():
    return {'nova': _distribution_version('nova'),
            'openstack-placement': _distribution_version(
                'openstack-placement'),
            'python': platform.python_version()}


def _parameters(func):
    """Names of a function's parameters, ``self`` dropped."""
    try:
        names = list(inspect.signature(func).parameters)
    except AttributeError:   # Python 2
        names = inspect.getargspec(func).args
    if names and names[0] == 'self':
        names = names[1:]
    return names


# Written when a release ships no api-paste.ini (nova 16 wheels): the
# compute API at /v2.1 behind nova's no-auth middleware, which is all the
# functional framework's API fixture loads.
_PASTE_INI_TEXT = """\
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/: versions
/v2.1: compute_v21

[composite:compute_v21]
use = call:nova.api.auth:pipeline_factory_v21
noauth2 = faultwrap noauth2 compute_app_v21
keystone = faultwrap noauth2 compute_app_v21

[pipeline:versions]
pipeline = faultwrap versions_app

[app:versions_app]
paste.app_factory = nova.api.openstack.compute.versions:Versions.factory

[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory

[filter:noauth2]
paste.filter_factory = nova.api.openstack.auth:NoAuthMiddleware.factory

[app:compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory
"""


def write_paste_ini(directory):
    path = os.path.join(directory, 'api-paste.ini')
    with open(path, 'w') as out:
        out.write(_PASTE_INI_TEXT)
    return path


def _old_sqlite_migrations(adaptations):
    """Let sqlalchemy-migrate < 0.12 rename tables on SQLite >= 3.26.

    SQLite 3.26 changed ALTER TABLE ... RENAME to rewrite references in
    other tables; the table copy sqlalchemy-migrate makes for SQLite then
    fails ("no such table: migration_tmp").  The legacy behaviour is one
    pragma away.
    """
    try:
        import migrate
        from sqlalchemy.engine import Engine
        from sqlalchemy import event
        import sqlite3
    except ImportError:
        return
    version = tuple(int(part) for part in
                    getattr(migrate, '__version__', '0.12').split('.')[:2]
                    if part.isdecimal())
    if version >= (0, 12) or sqlite3.sqlite_version_info < (3, 26, 0):
        return

    def legacy_alter_table(dbapi_connection, _record):
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute('PRAGMA legacy_alter_table = ON')

    event.listen(Engine, 'connect', legacy_alter_table)
    adaptations.append('PRAGMA legacy_alter_table for sqlalchemy-migrate '
                       '%s on SQLite %s' % (migrate.__version__,
                                            sqlite3.sqlite_version))


def find_paste_ini(nova_dir):
    candidates = [os.path.join(os.path.dirname(nova_dir), PASTE_INI),
                  os.path.join(sys.prefix, PASTE_INI)]
    base = getattr(sys, 'real_prefix', None) or getattr(
        sys, 'base_prefix', sys.prefix)
    candidates.append(os.path.join(base, PASTE_INI))
    for path in candidates:
        if os.path.isfile(path):
            return path
    raise RuntimeError("nova's api-paste.ini not found; looked in %s"
                       % ', '.join(candidates))


def _conf_fixture_class(adaptations):
    try:
        from nova.tests.fixtures import conf as module
        adaptations.append('ConfFixture from nova.tests.fixtures.conf')
    except ImportError:
        from nova.tests.unit import conf_fixture as module
        adaptations.append('ConfFixture from nova.tests.unit.conf_fixture')
    return module.ConfFixture


def _base_class(adaptations):
    from nova.tests.functional import integrated_helpers
    base = getattr(integrated_helpers, 'ProviderUsageBaseTestCase', None)
    if base is not None:
        adaptations.append('ProviderUsageBaseTestCase from '
                           'integrated_helpers')
        return base
    from nova.tests.functional import test_servers
    adaptations.append('ProviderUsageBaseTestCase from test_servers')
    return test_servers.ProviderUsageBaseTestCase


def _register_driver():
    from nova import exception
    import nova.virt
    from nova.virt import fake

    class FinishMigrationFailDriver(fake.FakeDriver):
        """FakeDriver whose finish_migration fails like a VIF plug error."""

        def finish_migration(self, *args, **kwargs):
            raise exception.VirtualInterfaceCreateException()

    module = type(sys)('nova.virt.' + DRIVER_ALIAS)
    module.FinishMigrationFailDriver = FinishMigrationFailDriver
    sys.modules['nova.virt.' + DRIVER_ALIAS] = module
    setattr(nova.virt, DRIVER_ALIAS, module)
    return DRIVER_ALIAS + '.FinishMigrationFailDriver'


def _resources(flavor):
    disk = int(flavor.get('disk') or 0) + int(
        flavor.get('OS-FLV-EXT-DATA:ephemeral') or 0)
    swap = flavor.get('swap') or 0
    resources = {'VCPU': int(flavor['vcpus']),
                 'MEMORY_MB': int(flavor['ram']) + int(swap or 0)}
    if disk:
        resources['DISK_GB'] = disk
    return resources


class _Scenario(object):
    """The scenario's steps, mixed into the release's own base test case.

    ``_legacy_adaptations`` (the list the case appends to) is set on the
    class :func:`build_case` makes.
    """

    _legacy_adaptations = None

    def _poll(self, fetch, done, seconds=20.0, interval=0.1):
        deadline = _now() + seconds
        value = fetch()
        while not done(value) and _now() < deadline:
            time.sleep(interval)
            value = fetch()
        return value

    def _call_helper(self, name, *args):
        """Call a wait helper with or without the API client."""
        helper = getattr(self, name)
        params = _parameters(helper)
        if params and params[0] in ('admin_api', 'api', 'client'):
            self._legacy_adaptations.append('%s(%s, ...)' % (name, params[0]))
            return helper(self.admin_api, *args)
        self._legacy_adaptations.append('%s(server, ...)' % name)
        return helper(*args)

    def _migration(self, server_id):
        body = self.admin_api.api_get('/os-migrations').body
        for migration in body['migrations']:
            if migration['instance_uuid'] == server_id:
                return migration
        return {}

    def _usages(self, rp_uuid):
        if hasattr(self, '_get_provider_usages'):
            return self._get_provider_usages(rp_uuid)
        return self.placement_api.get(
            '/resource_providers/%s/usages' % rp_uuid).body['usages']

    def _held(self, consumer):
        if not consumer:
            return {}
        if hasattr(self, '_get_allocations_by_server_uuid'):
            allocations = self._get_allocations_by_server_uuid(consumer)
        else:
            allocations = self.placement_api.get(
                '/allocations/%s' % consumer).body['allocations']
        return dict((rp, dict(alloc['resources']))
                    for rp, alloc in allocations.items())

    def _migration_uuid(self, server_id):
        if hasattr(self, 'get_migration_uuid_for_instance'):
            return self.get_migration_uuid_for_instance(server_id)
        self._legacy_adaptations.append(
            'migration uuid read from the database')
        from nova import context as nova_context
        from nova import objects
        ctxt = nova_context.get_admin_context()
        migrations = objects.MigrationList.get_by_filters(
            ctxt, {'instance_uuid': server_id})
        for migration in migrations:
            if 'uuid' in migration.fields:
                return migration.uuid
        return None

    def _flavor_resources(self, flavor):
        if hasattr(self, '_resources_from_flavor'):
            return dict(self._resources_from_flavor(flavor))
        self._legacy_adaptations.append(
            'flavor resources computed from the flavor')
        return _resources(flavor)

    def _legacy_resize(self, server, flavor):
        """Resize ``server`` and wait for the failure; (migration, server)."""
        self.api.post_server_action(
            server['id'], {'resize': {'flavorRef': flavor['id']}})
        if hasattr(self, '_wait_for_state_change'):
            try:
                self._call_helper('_wait_for_state_change', server,
                                  'ERROR')
            except Exception:
                # Judged below from what the server really shows.
                pass
        migration = self._poll(
            lambda: self._migration(server['id']),
            lambda m: (m.get('status') or '').lower() in
            _MIGRATION_FINAL)
        server = self._poll(
            lambda: self.api.get_server(server['id']),
            lambda s: s['status'] in _SERVER_SETTLED)
        return migration, server

    def _legacy_observation(self, server, migration, flavor1, flavor2):
        """What placement and the API show after the failed resize."""
        source_rp = self._get_provider_uuid_by_host('host1')
        dest_rp = self._get_provider_uuid_by_host('host2')
        migration_uuid = self._migration_uuid(server['id'])
        return {
            'server': {
                'id': server['id'],
                'status': server['status'],
                'host': server.get('OS-EXT-SRV-ATTR:host'),
                'fault': (server.get('fault') or {}).get('message'),
            },
            'migration': {'uuid': migration_uuid,
                          'status': migration.get('status')},
            'flavors': {'flavor1': self._flavor_resources(flavor1),
                        'flavor2': self._flavor_resources(flavor2)},
            'providers': {
                'source': {'host': 'host1', 'uuid': source_rp,
                           'usages': self._usages(source_rp)},
                'dest': {'host': 'host2', 'uuid': dest_rp,
                         'usages': self._usages(dest_rp)},
            },
            'consumers': {
                'instance': {'uuid': server['id'],
                             'allocations': self._held(server['id'])},
                'migration': {'uuid': migration_uuid,
                              'allocations': self._held(
                                  migration_uuid)},
            },
        }

    def test_observe(self):
        flavors = self.api.get_flavors()
        flavor1, flavor2 = flavors[0], flavors[1]
        self._start_compute('host1')
        self._start_compute('host2')
        server = self._boot_and_check_allocations(flavor1, 'host1')
        migration, server = self._legacy_resize(server, flavor2)
        type(self).observation = self._legacy_observation(
            server, migration, flavor1, flavor2)


def _use_paste_ini(paste_ini, adaptations):
    """Make nova's ConfFixture point the API at ``paste_ini``."""
    conf_fixture = _conf_fixture_class(adaptations)
    original_setup = conf_fixture.setUp

    def setUp(self, *args, **kwargs):
        original_setup(self, *args, **kwargs)
        self.conf.set_default('api_paste_config', paste_ini, group='wsgi')

    conf_fixture.setUp = setUp
    adaptations.append('api-paste.ini at %s' % paste_ini)


def build_case(adaptations):
    """The test case class that runs the scenario on this nova."""
    import nova
    import testtools  # noqa: F401 (nova's tests need it)

    try:
        paste_ini = find_paste_ini(os.path.dirname(nova.__file__))
    except RuntimeError:
        paste_ini = write_paste_ini(tempfile.mkdtemp(prefix='nrc-paste-'))
        adaptations.append('this nova ships no api-paste.ini: wrote a '
                           'minimal one')
    _old_sqlite_migrations(adaptations)
    _use_paste_ini(paste_ini, adaptations)
    driver = _register_driver()
    base = _base_class(adaptations)

    class LegacyScenario(_Scenario, base):
        compute_driver = driver
        observation = None
        _legacy_adaptations = adaptations

    return LegacyScenario


def observe():
    """Run the scenario here; return (observation, adaptations)."""
    try:
        # Nova decides between eventlet and native threads when its test
        # package is imported (OS_NOVA_DISABLE_EVENTLET_PATCHING), and
        # refuses native threads once anything has imported eventlet:
        # it goes first, as in nova's own test runs.
        import nova.tests.functional  # noqa: F401
    except ImportError:
        pass
    import testtools

    adaptations = []
    case_class = build_case(adaptations)
    case = case_class('test_observe')
    result = testtools.TestResult()
    case.run(result)
    problems = result.errors + result.failures
    if problems or case_class.observation is None:
        detail = '\n'.join(text for _case, text in problems)
        raise RuntimeError(detail or 'the scenario recorded nothing')
    unique = []
    for item in adaptations:
        if item not in unique:
            unique.append(item)
    return case_class.observation, unique


def main(argv=None):
    parser = argparse.ArgumentParser(prog='legacy_scenario')
    parser.add_argument('--output')
    parser.add_argument('--versions', action='store_true',
                        help='print the versions as JSON and exit')
    parser.add_argument('--site-dir', action='append', default=[],
                        help='a site-packages directory to add (with its '
                             '.pth files), e.g. from "pip install --prefix" '
                             'where no virtualenv can be made (Python 2.7)')
    args = parser.parse_args(argv)
    for directory in args.site_dir:
        site.addsitedir(os.path.abspath(directory))
        sys.path.remove(os.path.abspath(directory))
        sys.path.insert(0, os.path.abspath(directory))
    if args.versions:
        print(json.dumps(versions(), sort_keys=True))
        return 0
    if not args.output:
        parser.error('--output is required')
    document = {'versions': versions(), 'observer': 'legacy_scenario'}
    start = _now()
    try:
        document['observation'], document['adaptations'] = observe()
    except Exception:
        document['scenario_error'] = traceback.format_exc()[-6000:]
    document['seconds'] = round(_now() - start, 3)
    directory = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(directory):
        os.makedirs(directory)
    tmp = args.output + '.tmp'
    with open(tmp, 'w') as out:
        json.dump(document, out, indent=1, sort_keys=True)
    os.rename(tmp, args.output)
    return 0 if 'observation' in document else 1


if __name__ == '__main__':
    sys.exit(main())

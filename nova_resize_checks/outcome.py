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


"""Classify what placement holds after the bug 1825537 scenario.

Pure data in, pure data out: no nova import, so unit tests and the report
layer can use it cheaply.  An *observation* is the dict the observer
records (see :mod:`nova_resize_checks.observer`)::

    {'server': {'status', 'host', 'fault'},
     'migration': {'uuid', 'status'},
     'flavors': {'flavor1': {RC: amount}, 'flavor2': {RC: amount}},
     'providers': {'source': {'host', 'uuid', 'usages'},
                   'dest': {'host', 'uuid', 'usages'}},
     'consumers': {'instance': {'uuid', 'allocations': {rp: {RC: n}}},
                   'migration': {'uuid', 'allocations': {...}}}}
"""

FIXED = 'fixed'
AFFECTED = 'affected'
UNEXPECTED = 'unexpected'

RESOURCE_CLASSES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
# The fault the scenario's driver leaves; any other hides its error.
DRIVER_FAULT = 'Virtual Interface creation failed'


def _usage(usages):
    return {rc: int((usages or {}).get(rc, 0)) for rc in RESOURCE_CLASSES}


def _zero():
    return {rc: 0 for rc in RESOURCE_CLASSES}


def _describe(resources):
    return '%(VCPU)d VCPU / %(MEMORY_MB)d MB / %(DISK_GB)d GB' % _usage(
        resources)


def name_usage(usages, flavors):
    """'flavor1', 'flavor2', 'none' or the raw amounts."""
    usage = _usage(usages)
    if usage == _zero():
        return 'none'
    for name, resources in sorted(flavors.items()):
        if usage == _usage(resources):
            return name
    return _describe(usage)


def expected(verdict, observation):
    """What placement holds in a clean instance of ``verdict``."""
    flavors = observation['flavors']
    src = observation['providers']['source']['uuid']
    dst = observation['providers']['dest']['uuid']
    if verdict == FIXED:
        return {'source': _zero(), 'dest': _usage(flavors['flavor2']),
                'instance': {dst: _usage(flavors['flavor2'])},
                'migration': {}}
    return {'source': _usage(flavors['flavor1']), 'dest': _zero(),
            'instance': {src: _usage(flavors['flavor1'])},
            'migration': {}}


def _held(consumer):
    return {rp: _usage(res)
            for rp, res in (consumer.get('allocations') or {}).items()}


def _differences(observation, want):
    flavors = observation['flavors']
    got = {
        'source': _usage(observation['providers']['source']['usages']),
        'dest': _usage(observation['providers']['dest']['usages']),
        'instance': _held(observation['consumers']['instance']),
        'migration': _held(observation['consumers']['migration']),
    }
    hosts = {observation['providers']['source']['uuid']: 'source',
             observation['providers']['dest']['uuid']: 'dest'}
    diffs = []
    for key in ('source', 'dest'):
        if got[key] != want[key]:
            diffs.append('%s provider holds %s, expected %s' % (
                key, name_usage(got[key], flavors),
                name_usage(want[key], flavors)))
    for key in ('instance', 'migration'):
        if got[key] != want[key]:
            diffs.append('%s consumer holds %s, expected %s' % (
                key, _held_text(got[key], hosts, flavors),
                _held_text(want[key], hosts, flavors)))
    return diffs


def _held_text(held, hosts, flavors):
    if not held:
        return 'nothing'
    return ', '.join('%s on %s' % (name_usage(res, flavors),
                                   hosts.get(rp, rp))
                     for rp, res in sorted(held.items()))


def _scenario_problems(observation):
    """Ways the scenario itself did not go as designed."""
    problems = []
    server = observation.get('server') or {}
    migration = observation.get('migration') or {}
    dest_host = observation['providers']['dest']['host']
    if server.get('status') != 'ERROR':
        problems.append('server status is %s, expected ERROR'
                        % server.get('status'))
    if server.get('host') != dest_host:
        problems.append('server is on %s, expected %s'
                        % (server.get('host'), dest_host))
    if migration.get('status') != 'error':
        problems.append('migration status is %s, expected error'
                        % migration.get('status'))
    fault = server.get('fault') or ''
    if DRIVER_FAULT not in fault:
        problems.append('server fault is %r, expected the driver\'s %r'
                        % (fault[:200], DRIVER_FAULT))
    return problems


def classify(observation):
    """Return (verdict, reasons).

    ``fixed``: the destination holds the new flavor on the instance
    consumer, the source holds nothing, the migration consumer is gone.
    ``affected``: bug 1825537 exactly: the old flavor is back on the source
    for the instance and the destination is empty.  Anything else is
    ``unexpected``, with what differs from ``fixed``.
    """
    problems = _scenario_problems(observation)
    if problems:
        return UNEXPECTED, problems
    if not _differences(observation, expected(FIXED, observation)):
        return FIXED, []
    if not _differences(observation, expected(AFFECTED, observation)):
        return AFFECTED, ['bug 1825537: the old flavor was reverted onto '
                          'the source node and the destination is empty']
    return UNEXPECTED, _differences(observation,
                                    expected(FIXED, observation))


def usage_summary(observation):
    """{'source': 'flavor1'|..., 'dest': ...} for compact reports."""
    flavors = observation['flavors']
    return {key: name_usage(observation['providers'][key]['usages'],
                            flavors)
            for key in ('source', 'dest')}

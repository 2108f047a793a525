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


"""Named nova mutants: small, documented changes to what nova does when
``finish_resize`` fails, applied in-process.

Each mutant replaces only the allocation clean-up that
``ComputeManager.finish_resize`` performs after its helper failed.  Nova's
installed files are never touched: the fixture wraps two ``ComputeManager``
methods with ``fixtures.MonkeyPatch`` for the life of one test (or, through
:func:`install_process_wide`, for one child process of a runner).

How the clean-up is intercepted: since the fix for bug 1825537,
``finish_resize`` calls ``_finish_resize_helper`` and, when that raises, calls
``_delete_allocation_after_move(context, instance, migration)``.  The wrapper
around the helper remembers which migration failed; the wrapper around
``_delete_allocation_after_move`` runs the mutant's behaviour for that
migration only.  The same method called from ``confirm_resize`` is left
alone.
"""

import collections

import fixtures

from nova_resize_checks import env

# Usage tuples are (VCPU, MEMORY_MB, DISK_GB).
Usage = collections.namedtuple('Usage', 'vcpu memory_mb disk_gb')


class Mutant(object):
    def __init__(self, name, summary, behaviour, source, dest):
        self.name = name
        self.summary = summary
        self.behaviour = behaviour
        # The placement outcome this mutant gives in the scenario: usage on
        # the source and destination providers, as (VCPU, MEMORY_MB, DISK_GB)
        # in units of the scenario's flavors ('flavor1', 'flavor2' or None).
        self.source = source
        self.dest = dest

    def __repr__(self):
        return '<Mutant %s>' % self.name


def _bug_1825537(manager, context, instance, migration, original):
    # What nova did from Rocky until the fix: give the old flavor held by
    # the migration back to the instance on the source node, dropping the
    # new flavor on the destination, although the instance now lives there.
    manager._revert_allocation(context, instance, migration)


def _no_source_cleanup(manager, context, instance, migration, original):
    # Forget the clean-up altogether: the migration consumer keeps holding
    # the old flavor on the source node for ever.
    return None


def _drop_dest_allocation(manager, context, instance, migration, original):
    # Drop the source allocation as the fix does, but also lose the
    # instance's new-flavor allocation on the destination.
    original(manager, context, instance, migration)
    manager.reportclient.delete_allocation_for_instance(
        context, instance.uuid, consumer_type='instance', force=True)


def _old_flavor_on_dest(manager, context, instance, migration, original):
    # Drop the source allocation, but leave the instance holding the *old*
    # flavor's amounts on the destination node: the right host with the
    # wrong flavor.
    old = manager.reportclient.get_allocs_for_consumer(
        context, migration.uuid)
    current = manager.reportclient.get_allocs_for_consumer(
        context, instance.uuid)
    old_resources = {}
    for alloc in old.get('allocations', {}).values():
        for rc, amount in alloc['resources'].items():
            old_resources[rc] = old_resources.get(rc, 0) + amount
    original(manager, context, instance, migration)
    payload = {
        'allocations': {
            rp: {'resources': dict(old_resources)}
            for rp in current.get('allocations', {})
        },
        'consumer_generation': current.get('consumer_generation'),
        'project_id': instance.project_id,
        'user_id': instance.user_id,
    }
    manager.reportclient.put_allocations(context, instance.uuid, payload)


MUTANTS = collections.OrderedDict((m.name, m) for m in (
    Mutant('bug-1825537',
           'revert allocations when finish_resize fails (the pre-fix '
           'behaviour): the old flavor goes back to the instance on the '
           'source node, the destination is emptied',
           _bug_1825537, source='flavor1', dest=None),
    Mutant('no-source-cleanup',
           'clean up nothing when finish_resize fails: the migration keeps '
           'the old flavor on the source node',
           _no_source_cleanup, source='flavor1', dest='flavor2'),
    Mutant('drop-dest-allocation',
           'drop the source allocation and also the instance allocation on '
           'the destination: placement tracks the instance nowhere',
           _drop_dest_allocation, source=None, dest=None),
    Mutant('old-flavor-on-dest',
           'drop the source allocation but leave the instance holding the '
           'old flavor on the destination',
           _old_flavor_on_dest, source=None, dest='flavor1'),
))


class UnknownMutant(env.EnvironmentProblem):
    pass


def get(name):
    try:
        return MUTANTS[name]
    except KeyError:
        raise UnknownMutant('unknown mutant %r; known: %s'
                            % (name, ', '.join(MUTANTS)))


def _patches(mutant):
    from nova.compute import manager as compute_manager

    cls = compute_manager.ComputeManager
    for attr in ('_finish_resize_helper', '_delete_allocation_after_move'):
        if not hasattr(cls, attr):
            raise env.EnvironmentProblem(
                'this nova has no ComputeManager.%s, so mutant %s cannot be '
                'applied (mutants target nova with the fix for bug 1825537)'
                % (attr, mutant.name))
    helper = cls._finish_resize_helper
    delete_after_move = cls._delete_allocation_after_move
    failed = set()

    def _finish_resize_helper(self, context, disk_info, image, instance,
                              migration, *args, **kwargs):
        try:
            return helper(self, context, disk_info, image, instance,
                          migration, *args, **kwargs)
        except Exception:
            failed.add(migration.uuid)
            raise

    def _delete_allocation_after_move(self, context, instance, migration):
        if migration.uuid in failed:
            failed.discard(migration.uuid)
            return mutant.behaviour(self, context, instance, migration,
                                    delete_after_move)
        return delete_after_move(self, context, instance, migration)

    target = 'nova.compute.manager.ComputeManager.'
    return [(target + '_finish_resize_helper', _finish_resize_helper),
            (target + '_delete_allocation_after_move',
             _delete_allocation_after_move)]


class MutantFixture(fixtures.Fixture):
    """Apply the named mutant to nova for the life of the fixture."""

    def __init__(self, name):
        super(MutantFixture, self).__init__()
        self.mutant = get(name)

    def _setUp(self):
        for target, replacement in _patches(self.mutant):
            self.useFixture(fixtures.MonkeyPatch(target, replacement))


def install_process_wide(name):
    """Apply the mutant for the rest of this process (runner children)."""
    from nova.compute import manager as compute_manager

    mutant = get(name)
    for target, replacement in _patches(mutant):
        setattr(compute_manager.ComputeManager,
                target.rsplit('.', 1)[1], replacement)
    return mutant

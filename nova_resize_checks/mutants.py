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
around the helper remembers which migration failed and with which
exception; the wrapper around ``_delete_allocation_after_move`` runs the
mutant's behaviour for that migration only.  The same method called from
``confirm_resize`` is left alone.

Each mutant records the placement outcome it gives in the scenario (usage
on the source and destination providers, in units of the scenario's
flavors) as observed with ``nova-resize-checks reproduce --mutant NAME``;
the README's mutant table lists them with the assertions of the canonical
test that catch each one (``nova-resize-checks mutants --matrix``).

:data:`RUN_ORDER` is the order in which a runner should try the mutants
against a proposed version when it may stop at the first survivor: the
mutants caught by the fewest assertions of the canonical test first (a
version that drops or loosens an assertion lets those through first),
the ones almost every assertion catches last.
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
        # the source and destination providers as outcome.usage_summary
        # names it ('flavor1', 'flavor2', raw amounts, or None for none).
        self.source = source
        self.dest = dest

    def __repr__(self):
        return '<Mutant %s>' % self.name


# flavor1 and flavor2 together, as outcome.usage_summary spells it.
_BOTH = '2 VCPU / 2560 MB / 21 GB'


def _allocations(manager, context, consumer):
    return manager.reportclient.get_allocs_for_consumer(context, consumer)


def _summed(allocs):
    """{resource class: amount} over every provider of a consumer."""
    total = {}
    for alloc in allocs.get('allocations', {}).values():
        for rc, amount in alloc['resources'].items():
            total[rc] = total.get(rc, 0) + amount
    return total


def _put(manager, context, consumer, allocations, generation, instance):
    payload = {
        'allocations': allocations,
        'consumer_generation': generation,
        'project_id': instance.project_id,
        'user_id': instance.user_id,
    }
    if not manager.reportclient.put_allocations(context, consumer, payload):
        raise RuntimeError('mutant could not write the allocations of %s'
                           % consumer)


def _orphan_uuid():
    from oslo_utils import uuidutils

    return uuidutils.generate_uuid()


def _bug_1825537(manager, context, instance, migration, original, error):
    # What nova did from Rocky until the fix: give the old flavor held by
    # the migration back to the instance on the source node, dropping the
    # new flavor on the destination, although the instance now lives there.
    manager._revert_allocation(context, instance, migration)


def _no_source_cleanup(manager, context, instance, migration, original,
                       error):
    # Forget the clean-up altogether: the migration consumer keeps holding
    # the old flavor on the source node for ever.
    return None


def _drop_dest_allocation(manager, context, instance, migration, original,
                          error):
    # Drop the source allocation as the fix does, but also lose the
    # instance's new-flavor allocation on the destination.
    original(manager, context, instance, migration)
    manager.reportclient.delete_allocation_for_instance(
        context, instance.uuid, consumer_type='instance', force=True)


def _old_flavor_on_dest(manager, context, instance, migration, original,
                        error):
    # Drop the source allocation, but leave the instance holding the *old*
    # flavor's amounts on the destination node: the right host with the
    # wrong flavor.
    old_resources = _summed(_allocations(manager, context, migration.uuid))
    current = _allocations(manager, context, instance.uuid)
    original(manager, context, instance, migration)
    _put(manager, context, instance.uuid,
         {rp: {'resources': dict(old_resources)}
          for rp in current.get('allocations', {})},
         current.get('consumer_generation'), instance)


def _double_allocation(manager, context, instance, migration, original,
                       error):
    # Hand the migration's old-flavor allocation on the source back to the
    # instance *and* keep the instance's new flavor on the destination: the
    # instance consumer holds both nodes, as a revert that forgot to drop
    # the destination would leave it.
    held = _allocations(manager, context, migration.uuid)
    current = _allocations(manager, context, instance.uuid)
    merged = {rp: {'resources': dict(alloc['resources'])}
              for rp, alloc in current.get('allocations', {}).items()}
    for rp, alloc in held.get('allocations', {}).items():
        resources = merged.setdefault(rp, {'resources': {}})['resources']
        for rc, amount in alloc['resources'].items():
            resources[rc] = resources.get(rc, 0) + amount
    original(manager, context, instance, migration)
    _put(manager, context, instance.uuid, merged,
         current.get('consumer_generation'), instance)


def _migration_moved_to_dest(manager, context, instance, migration,
                             original, error):
    # Follow the instance to the destination with the migration's
    # allocation too: the migration consumer now holds the old flavor on
    # the destination instead of being dropped.
    held = _allocations(manager, context, migration.uuid)
    current = _allocations(manager, context, instance.uuid)
    _put(manager, context, migration.uuid,
         {rp: {'resources': _summed(held)}
          for rp in current.get('allocations', {})},
         held.get('consumer_generation'), instance)


def _wrong_consumer(manager, context, instance, migration, original, error):
    # The clean-up of the fix, applied to the wrong consumer: the
    # instance's allocation is deleted instead of the migration's.
    manager.reportclient.delete_allocation_for_instance(
        context, instance.uuid, consumer_type='instance', force=False)


def _skip_on_vif_error(manager, context, instance, migration, original,
                       error):
    # Skip the clean-up only when the driver failed to plug the VIFs (as a
    # nova that expects such failures to be retried might): the failure of
    # the scenario's driver is exactly that one, so nothing is cleaned up.
    from nova import exception

    if isinstance(error, exception.VirtualInterfaceCreateException):
        return None
    return original(manager, context, instance, migration)


def _orphan_on_source(manager, context, instance, migration, original,
                      error):
    # Drop the migration consumer, but leave its old-flavor amounts on the
    # source under a consumer that is neither the instance nor the
    # migration: an orphaned allocation (the kind "nova-manage placement
    # audit" exists to find), as a clean-up that re-keys the allocation
    # before deleting would leave.
    held = _allocations(manager, context, migration.uuid)
    original(manager, context, instance, migration)
    _put(manager, context, _orphan_uuid(),
         {rp: {'resources': dict(alloc['resources'])}
          for rp, alloc in held.get('allocations', {}).items()},
         None, instance)


def _orphan_on_dest(manager, context, instance, migration, original, error):
    # Drop the source allocation as the fix does, but leave the old
    # flavor's amounts on the destination under an orphaned consumer: the
    # instance's own allocation is right, the node's usage is not.
    old_resources = _summed(_allocations(manager, context, migration.uuid))
    current = _allocations(manager, context, instance.uuid)
    original(manager, context, instance, migration)
    _put(manager, context, _orphan_uuid(),
         {rp: {'resources': dict(old_resources)}
          for rp in current.get('allocations', {})},
         None, instance)


def _host_reverted(manager, context, instance, migration, original, error):
    # Half a revert: the allocations follow the fix (the instance keeps the
    # new flavor on the destination), but the instance record is pointed
    # back at the source host and node as a revert would.  Nova and
    # placement then disagree on where the instance lives.
    from nova import objects

    original(manager, context, instance, migration)
    instance.host = migration.source_compute
    instance.node = migration.source_node
    if 'compute_id' in instance.fields:
        # Newer nova refuses a node change without the node's id.
        instance.compute_id = objects.ComputeNode.get_by_host_and_nodename(
            context, migration.source_compute, migration.source_node).id
    instance.save()


def _dest_under_orphan(manager, context, instance, migration, original,
                       error):
    # Drop the source allocation as the fix does, but re-key the
    # instance's new-flavor allocation on the destination to a consumer
    # that is neither the instance nor the migration (as a clean-up that
    # took the consumer id from the wrong record would): the usages look
    # right, but nothing ties them to the instance, so deleting the server
    # later leaks them.
    current = _allocations(manager, context, instance.uuid)
    original(manager, context, instance, migration)
    manager.reportclient.delete_allocation_for_instance(
        context, instance.uuid, consumer_type='instance', force=True)
    _put(manager, context, _orphan_uuid(),
         {rp: {'resources': dict(alloc['resources'])}
          for rp, alloc in current.get('allocations', {}).items()},
         None, instance)


def _cleanup_error_masks_fault(manager, context, instance, migration,
                               original, error):
    # The allocations are cleaned up correctly, but the clean-up then
    # reports a failure (as one that deletes twice and takes the second,
    # empty delete for an error would): its AllocationDeleteFailed replaces
    # the driver's error as the instance fault.
    from nova import exception

    original(manager, context, instance, migration)
    raise exception.AllocationDeleteFailed(
        consumer_uuid=migration.uuid, error='nothing left to delete')


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
    Mutant('double-allocation',
           'drop the migration consumer but give its old flavor on the '
           'source to the instance, which keeps the new flavor on the '
           'destination too: the instance is allocated on both nodes',
           _double_allocation, source='flavor1', dest='flavor2'),
    Mutant('migration-moved-to-dest',
           'move the migration consumer\'s old flavor to the destination '
           'instead of dropping it',
           _migration_moved_to_dest, source=None, dest=_BOTH),
    Mutant('wrong-consumer',
           'apply the clean-up to the wrong consumer: delete the '
           'instance\'s allocation instead of the migration\'s',
           _wrong_consumer, source='flavor1', dest=None),
    Mutant('skip-on-vif-error',
           'skip the clean-up only when the driver raised '
           'VirtualInterfaceCreateException (the scenario\'s failure): the '
           'migration keeps the old flavor on the source node',
           _skip_on_vif_error, source='flavor1', dest='flavor2'),
    Mutant('orphan-on-source',
           'drop the migration consumer but leave its old flavor on the '
           'source under an orphaned consumer (neither instance nor '
           'migration)',
           _orphan_on_source, source='flavor1', dest='flavor2'),
    Mutant('orphan-on-dest',
           'drop the source allocation but leave the old flavor on the '
           'destination under an orphaned consumer',
           _orphan_on_dest, source=None, dest=_BOTH),
    Mutant('dest-under-orphan',
           'drop the source allocation but move the instance\'s new flavor '
           'on the destination to an orphaned consumer: the usages are '
           'right, the instance holds nothing',
           _dest_under_orphan, source=None, dest='flavor2'),
    Mutant('host-reverted',
           'clean up the allocations as the fix does but point the '
           'instance back at the source host: nova and placement disagree '
           'on where it lives',
           _host_reverted, source=None, dest='flavor2'),
    Mutant('cleanup-error-masks-fault',
           'clean up the allocations as the fix does, then raise '
           'AllocationDeleteFailed: the clean-up\'s error replaces the '
           'driver\'s as the instance fault',
           _cleanup_error_masks_fault, source=None, dest='flavor2'),
))

# Most likely to survive a weakened test first (see the module docstring):
# the first five are each caught by a single assertion of the canonical
# test (the placement ones first: reviews touch those most), the last by
# four.  Measured with "nova-resize-checks mutants --matrix"; a functional
# test checks that the number of catching assertions never decreases
# along this order.
RUN_ORDER = (
    'orphan-on-source',           # source usage only
    'orphan-on-dest',             # destination usage only
    'dest-under-orphan',          # the instance's allocation only
    'cleanup-error-masks-fault',  # the fault message only
    'host-reverted',              # the instance's host only
    'no-source-cleanup',
    'drop-dest-allocation',
    'old-flavor-on-dest',
    'double-allocation',
    'migration-moved-to-dest',
    'skip-on-vif-error',
    'bug-1825537',
    'wrong-consumer',
)


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
    # migration uuid -> the exception finish_resize's helper raised
    failed = {}

    def _finish_resize_helper(self, context, disk_info, image, instance,
                              migration, *args, **kwargs):
        try:
            return helper(self, context, disk_info, image, instance,
                          migration, *args, **kwargs)
        except Exception as exc:
            failed[migration.uuid] = exc
            raise

    def _delete_allocation_after_move(self, context, instance, migration):
        if migration.uuid in failed:
            error = failed.pop(migration.uuid)
            return mutant.behaviour(self, context, instance, migration,
                                    delete_after_move, error)
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

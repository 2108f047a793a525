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
installed files are never touched: :func:`apply` replaces two
``ComputeManager`` methods for the life of one test (:class:`MutantFixture`)
or of one run's process (:func:`install_process_wide`).

A run must not be able to tell from inside which variant it runs except
through what nova does.  Every variant, and the *sham* (:data:`SHAM`: real
nova passed through the same machinery, unchanged), installs the same two
replacement functions: plain functions carrying the names, qualified
names, module and signature of the methods they replace, no
``__wrapped__``, no wrapper object, nothing named after a mutant.  What a
mutant does is reached through a closure whose function has been given
the replaced method's names as well.  Code that reads closures or bytecode
can still tell them apart; the static gate refuses such code, and the
sham makes any difference between "patched" and "bare" nova visible: a
version must give the same outcome under the sham as under bare nova.

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
import types

import fixtures

from nova_resize_checks import env

# Usage tuples are (VCPU, MEMORY_MB, DISK_GB).
Usage = collections.namedtuple('Usage', 'vcpu memory_mb disk_gb')


class Mutant(object):
    def __init__(self, name, summary, behaviour, source, dest,
                 placement_wrong=True):
        self.name = name
        self.summary = summary
        self.behaviour = behaviour
        # Whether placement is wrong under this mutant: then only a
        # failing assertion that reads placement catches it.
        self.placement_wrong = placement_wrong
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
           _host_reverted, source=None, dest='flavor2',
           placement_wrong=False),
    Mutant('cleanup-error-masks-fault',
           'clean up the allocations as the fix does, then raise '
           'AllocationDeleteFailed: the clean-up\'s error replaces the '
           'driver\'s as the instance fault',
           _cleanup_error_masks_fault, source=None, dest='flavor2',
           placement_wrong=False),
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


# Real nova through the mutant machinery: the same replacements, with a
# behaviour that does what nova does.
SHAM = 'sham'


def _sham(manager, context, instance, migration, original, error):
    return original(manager, context, instance, migration)


class UnknownMutant(env.EnvironmentProblem):
    pass


def get(name):
    try:
        return MUTANTS[name]
    except KeyError:
        raise UnknownMutant('unknown mutant %r; known: %s'
                            % (name, ', '.join(MUTANTS)))


def _nova_namespace(like):
    """This module's globals as ``like``'s module would show them.

    Every function the mutants call runs with these globals, and each of
    this module's functions in them is a copy whose code says it is in
    ``like``'s file: a frame of a helper (``_allocations``, ``_put``) a
    mutant calls names nova's module and file, not this one, so neither
    a warning's caller nor a filter by module tells a mutant from nova
    (round 6).
    """
    namespace = dict(globals())
    namespace['__name__'] = like.__module__
    namespace['__file__'] = like.__code__.co_filename
    for name, value in globals().items():
        if isinstance(value, types.FunctionType) and \
                value.__module__ == __name__:
            namespace[name] = types.FunctionType(
                value.__code__.replace(
                    co_filename=like.__code__.co_filename),
                namespace, value.__name__, value.__defaults__,
                value.__closure__)
    return namespace


def _disguised(function, like, namespace):
    """A copy of ``function`` named and placed like ``like``."""
    code = function.__code__
    replace = {'co_name': like.__name__, 'co_filename':
               like.__code__.co_filename,
               'co_firstlineno': like.__code__.co_firstlineno}
    if hasattr(code, 'co_qualname'):
        replace['co_qualname'] = like.__qualname__
    copy = types.FunctionType(code.replace(**replace), namespace,
                              like.__name__, function.__defaults__,
                              function.__closure__)
    for attr in ('__qualname__', '__module__', '__doc__'):
        setattr(copy, attr, getattr(like, attr))
    return copy


def _patches(behaviour):
    """{attribute: replacement} on ComputeManager for ``behaviour``."""
    from nova.compute import manager as compute_manager

    cls = compute_manager.ComputeManager
    for attr in ('_finish_resize_helper', '_delete_allocation_after_move'):
        if not hasattr(cls, attr):
            raise env.EnvironmentProblem(
                'this nova has no ComputeManager.%s, so mutants cannot be '
                'applied (mutants target nova with the fix for bug 1825537)'
                % attr)
    helper = cls.__dict__['_finish_resize_helper']
    delete_after_move = cls.__dict__['_delete_allocation_after_move']
    namespace = _nova_namespace(delete_after_move)
    chosen = _disguised(behaviour, delete_after_move, namespace)
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
            return chosen(self, context, instance, migration,
                          delete_after_move, failed.pop(migration.uuid))
        return delete_after_move(self, context, instance, migration)

    return {'_finish_resize_helper': _disguised(_finish_resize_helper,
                                                helper, namespace),
            '_delete_allocation_after_move': _disguised(
                _delete_allocation_after_move, delete_after_move,
                namespace)}


def _behaviour(name):
    return _sham if name == SHAM else get(name).behaviour


def apply(name):
    """Replace the methods for ``name`` (a mutant or SHAM).

    Returns a function that puts nova's own methods back.
    """
    from nova.compute import manager as compute_manager

    cls = compute_manager.ComputeManager
    replacements = _patches(_behaviour(name))
    originals = {attr: cls.__dict__[attr] for attr in replacements}
    for attr, function in replacements.items():
        setattr(cls, attr, function)

    def restore():
        for attr, function in originals.items():
            setattr(cls, attr, function)
    return restore


class MutantFixture(fixtures.Fixture):
    """Apply the named mutant (or SHAM) to nova for the fixture's life."""

    def __init__(self, name):
        super(MutantFixture, self).__init__()
        if name != SHAM:
            get(name)
        self.name = name

    def _setUp(self):
        self.addCleanup(apply(self.name))


def install_process_wide(name):
    """Apply the mutant for the rest of this process (runner children)."""
    mutant = get(name)
    apply(name)
    return mutant

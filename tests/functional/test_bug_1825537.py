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


from nova_resize_checks import base
from nova_resize_checks import virt


class FinishResizeErrorAllocationCleanupTestCase(
        base.ResizeChecksTestCase):
    """Regression test for bug 1825537.

    A resize moves the instance from host1 to host2. The last step,
    finish_resize on host2, fails in the virt driver. By then
    resize_instance on host1 has already pointed the instance at host2, so
    placement must track the instance on host2 with the new flavor and
    host1 must be left with nothing. From Rocky until the fix, nova
    reverted the allocations instead: host1 got the old flavor back and
    host2 was emptied, the reverse of where the instance really is.
    """

    # Every compute service in this test uses a driver whose
    # finish_migration raises VirtualInterfaceCreateException.
    compute_driver = virt.DRIVER

    def setUp(self):
        super(FinishResizeErrorAllocationCleanupTestCase, self).setUp()
        # The default flavors: flavors[0] is the small one the server boots
        # with (1 VCPU / 512 MB / 1 GB), flavors[1] the bigger one it is
        # resized to (1 VCPU / 2048 MB / 20 GB). Their sizes differ, so an
        # allocation tells which flavor it was made for.
        flavors = self.api.get_flavors()
        self.flavor1 = flavors[0]
        self.flavor2 = flavors[1]

    def _resize_and_assert_error(self, server, dest_host):
        # Ask for the resize. The scheduler picks dest_host (the only other
        # host), prep_resize claims the new flavor there for the instance
        # and moves the old flavor on the source to the migration consumer.
        req = {'resize': {'flavorRef': self.flavor2['id']}}
        self.api.post_server_action(server['id'], req)
        # The compute manager sets the instance to ERROR before it records
        # the fault; the migration goes to 'error' only after the fault is
        # saved, so wait for the migration first to avoid racing the fault.
        migration = self._wait_for_migration_status(server, ['error'])
        self.assertEqual('error', migration['status'])
        server = self._wait_for_state_change(server, 'ERROR')
        # resize_instance on the source switched the instance's host to
        # dest_host before casting finish_resize there, so the failed
        # instance lives on dest_host now.
        self.assertEqual(dest_host, server['OS-EXT-SRV-ATTR:host'])
        # The fault is the one the driver raised from finish_migration.
        self.assertIn('Virtual Interface creation failed',
                      server['fault']['message'])
        return server

    def test_finish_resize_fails_allocation_cleanup(self):
        # Two computes, so that the resize has to move the server.
        self._start_compute('host1')
        self._start_compute('host2')

        # Boot on host1 with the small flavor; the helper checks that only
        # host1 carries usage and that it matches flavor1.
        server = self._boot_and_check_allocations(self.flavor1, 'host1')

        # Resize to the big flavor; finish_resize fails on host2.
        server = self._resize_and_assert_error(server, 'host2')

        source_rp_uuid = self._get_provider_uuid_by_host('host1')
        dest_rp_uuid = self._get_provider_uuid_by_host('host2')

        # The instance is on host2 now, so its consumer must hold the new
        # flavor there and nowhere else. Under bug 1825537 this held the
        # old flavor on host1 instead.
        self.assertFlavorMatchesAllocation(
            self.flavor2, server['id'], dest_rp_uuid)
        # ... and host2's usage is exactly that, nothing more.
        self.assertFlavorMatchesUsage(dest_rp_uuid, self.flavor2)

        # host1 must be empty: the old flavor the migration consumer held
        # there during the resize has been dropped, not handed back to the
        # instance.
        source_rp_usages = self._get_provider_usages(source_rp_uuid)
        no_usage = {'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0}
        self.assertEqual(no_usage, source_rp_usages)

        # The migration consumer is gone from placement altogether.
        migration_uuid = self.get_migration_uuid_for_instance(server['id'])
        self.assertEqual(
            {}, self._get_allocations_by_server_uuid(migration_uuid))

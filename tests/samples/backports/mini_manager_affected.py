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

# A cut-down nova/compute/manager.py: only what the static check reads.

from oslo_utils import excutils


class ComputeManager(object):

    def _revert_allocation(self, context, instance, migration):
        """Move the migration's allocations back to the instance."""

    def _delete_allocation_after_move(self, context, instance, migration):
        """Drop the allocations the migration holds on the source."""

    def _finish_resize(self, context, instance, migration, disk_info,
                       image_meta):
        """Plug networks, spawn on the destination."""

    def finish_resize(self, context, disk_info, image, instance,
                      migration):
        try:
            self._finish_resize(context, instance, migration, disk_info,
                                image)
        except Exception:
            with excutils.save_and_reraise_exception():
                self._revert_allocation(context, instance, migration)

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


"""Review meta-check.

parse -> extract (claims and changes; quotations by content, see
known_versions) -> findings -> edits -> safety (the static gate) -> runs
(:mod:`nova_resize_checks.runs`, confined) -> verdict -> report, driven
by check.  Each stage is a module; data flows one way through the types in
:mod:`nova_resize_checks.review.model`.
"""

#!/bin/bash
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

# Rebuild upper-constraints.txt: resolve every requirement of every tox
# environment in a scratch virtualenv with nova and placement pinned, then
# freeze it. Review the diff before committing.
#   tools/refresh-constraints.sh [NOVA_VERSION] [PLACEMENT_VERSION]
set -euo pipefail
NOVA=${1:-34.0.0}
PLACEMENT=${2:-16.0.0}
top=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q --upgrade pip
"$scratch/venv/bin/pip" install -q "nova==$NOVA" \
    "openstack-placement==$PLACEMENT" \
    -r "$top/requirements.txt" -r "$top/test-requirements.txt" \
    -r "$top/doc/requirements.txt" hypothesis zuulcilint
{
    sed -n '1,/^$/p' "$top/upper-constraints.txt" | grep '^#'
    "$scratch/venv/bin/pip" freeze --exclude-editable |
        grep -viE '^(nova-resize-checks|pip|setuptools|wheel)=' |
        sed 's/==/===/'
} > "$scratch/uc.txt"
mv "$scratch/uc.txt" "$top/upper-constraints.txt"
echo "upper-constraints.txt: $(grep -vc '^#' "$top/upper-constraints.txt") pins"

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


"""Stage 1, read: from the bytes of a review to what it is made of.

:mod:`.container` decodes the file and cuts it into blocks (fences,
listings, prose) with markdown-it-py, after :mod:`.answer` has unwrapped
the answer (reasoning, JSON, :mod:`.tables`); :mod:`.listings` reads code
quoted with line numbers; :mod:`.prose` masks code spans and
splits sentences; :mod:`.diffs` finds and reads unified diffs;
:mod:`.texts` holds the two helpers every stage uses ("does this parse",
"shorten for a message").  Nothing here knows about versions or claims.
"""

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


"""Running test versions against real and mutated nova, confined.

Knows nothing about reviews: it is given versions (a test source and an
optional overlay of nova files) and gives back one result per variant.

* :mod:`results` -- versions, run results and outcomes;
* :mod:`pool` -- scheduling versions' runs, one fresh sandbox each;
* :mod:`skip` -- the skip rule (which variants can still matter);
* :mod:`budget` -- runs and run time per review and in all;
* :mod:`folding` -- one run's result, from its stream and its end;
* :mod:`worker` -- the process that runs one version;
* :mod:`protocol` -- the subunit stream from a worker to the pool;
* :mod:`watch` -- the one watch-and-kill loop around a worker;
* :mod:`confinement` -- bubblewrap, namespaces and limits (parent side);
* :mod:`filesystem` -- the allow-list filesystem a confined run sees;
* :mod:`cgroups` -- a memory and pids cgroup per run (parent side);
* :mod:`guard` -- identity, seccomp and the reporter (worker side);
* :mod:`cache` -- results on disk, written by the parent only;
* :mod:`failure` -- where a run failed, from its records.
"""

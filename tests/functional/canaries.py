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


"""Canaries for the confinement tests: what a run must never reach.

A directory outside /tmp (the runs get a /tmp of their own) that anyone
may write, holding ``victim.txt``; TCP and UDP listeners on 127.0.0.1; a
unix socket anyone may connect to, in that directory.  After the runs,
:meth:`Canaries.untouched` says what, if anything, was reached.
"""

import os
import shutil
import socket
import tempfile

VICTIM_TEXT = 'keep me'


class Canaries(object):

    def __init__(self, parent):
        self.dir = tempfile.mkdtemp(prefix='.nrc-canary-', dir=parent)
        os.chmod(self.dir, 0o777)
        self.victim = os.path.join(self.dir, 'victim.txt')
        with open(self.victim, 'w') as f:
            f.write(VICTIM_TEXT)
        os.chmod(self.victim, 0o666)
        self.tcp = socket.socket()
        self.tcp.bind(('127.0.0.1', 0))
        self.tcp.listen(8)
        self.tcp.setblocking(False)
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(('127.0.0.1', 0))
        self.udp.setblocking(False)
        self.unix_path = os.path.join(self.dir, 'listener.sock')
        self.unix = socket.socket(socket.AF_UNIX)
        self.unix.bind(self.unix_path)
        os.chmod(self.unix_path, 0o777)
        self.unix.listen(8)
        self.unix.setblocking(False)
        self.tcp_port = self.tcp.getsockname()[1]
        self.udp_port = self.udp.getsockname()[1]

    def untouched(self):
        """A list of what was reached (empty when nothing was)."""
        reached = []
        names = sorted(os.listdir(self.dir))
        if names != ['listener.sock', 'victim.txt']:
            reached.append('files in the canary directory: %s' % names)
        try:
            with open(self.victim) as f:
                if f.read() != VICTIM_TEXT:
                    reached.append('victim.txt was changed')
        except OSError as exc:
            reached.append('victim.txt: %s' % exc)
        for name, sock in (('tcp', self.tcp), ('unix', self.unix)):
            try:
                sock.accept()[0].close()
                reached.append('the %s listener got a connection' % name)
            except BlockingIOError:
                pass
        try:
            self.udp.recvfrom(64)
            reached.append('the udp listener got a datagram')
        except BlockingIOError:
            pass
        return reached

    def close(self):
        for sock in (self.tcp, self.udp, self.unix):
            sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)

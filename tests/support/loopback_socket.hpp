// Sockets for test peers that play a server on 127.0.0.1 (a camera's web server, an SNTP server).
#pragma once

namespace camrig::test {

//! A socket of `type` (SOCK_STREAM, listening, or SOCK_DGRAM) bound to 127.0.0.1 on a port the
//! kernel picks, which goes to `port`. -1 (and port 0) when any step fails.
int bind_loopback(int type, int& port);

}  // namespace camrig::test

import Foundation
import SSH

/// `CONSOLE:VNC`: a port on this machine's loopback forwarded over an SSH session
/// (direct-tcpip, as `ssh -L`) to the target's VNC display, and a viewer started on it.
/// The forward lives as long as the viewer and whatever it started (a viewer that forks
/// into the background keeps the tunnel, and pmctl, until that process ends); the
/// viewer's own exit status is the result.
public struct VNCConsole {
    public var target: SSHTarget
    /// The VNC display on the target (port 5900 + display, as the target itself sees it).
    public var display: Int
    /// The local port to listen on; 0: one the kernel picks.
    public var localPort: Int
    /// The viewer program (absolute path); it gets `127.0.0.1::PORT` (two colons: a port,
    /// where one colon would mean a display number to vncviewer). The address, not
    /// `localhost`: that may resolve to ::1, where the forward does not listen and any local
    /// user could, to catch the viewer's VNC password exchange.
    public var viewer: String

    public init(target: SSHTarget, display: Int, localPort: Int = 0, viewer: String) {
        self.target = target
        self.display = display
        self.localPort = localPort
        self.viewer = viewer
    }

    public static let displayRange = 0...(65535 - 5900)

    public var remotePort: Int { 5900 + display }

    /// Connects, checks that the display answers, forwards, runs the viewer to its end.
    /// `note` hears the local port and connections the tunnel could not carry. Blocks the
    /// calling thread (the session's) until the viewer exits.
    public func run(note: (String) -> Void) throws(ConsoleError) -> Int32 {
        let session: SSHSession
        do { session = try SSHSession.connect(to: target) } catch { throw ConsoleError(error.description) }
        defer { try? session.disconnect(deadline: .after(seconds: 1)) }

        // One tunnel up front: a display with no VNC server is an error now, with its
        // number, rather than a viewer that fails to connect.
        do {
            let probe = try session.tunnel(toHost: "127.0.0.1", port: remotePort, deadline: .after(seconds: 10))
            _ = try? probe.close(deadline: .after(seconds: 2))
        } catch {
            throw ConsoleError("no VNC server answers on display \(display) of \(target.host) (port \(remotePort) as the host sees it): \(error.description); give the display with --vnc-display or the inventory's vnc_display")
        }
        let forward: PortForward
        do {
            forward = try PortForward(session: session, remoteHost: "127.0.0.1", remotePort: remotePort, localPort: localPort)
        } catch {
            throw ConsoleError(error.description)
        }
        let address = "127.0.0.1::\(forward.localPort)"
        note("VNC display \(display) of \(target.host) is at \(address) while the viewer runs")

        let viewerProcess = try ViewerProcess.start(viewer, [address])
        do {
            try forward.serve(until: Cancellation(watching: { !viewerProcess.isRunning }), problem: note)
        } catch {
            note("the tunnel to \(target.host) failed (\(error.description)); stopping the viewer")
            return viewerProcess.terminateAndWait()
        }
        return viewerProcess.exitStatus ?? 1
    }
}

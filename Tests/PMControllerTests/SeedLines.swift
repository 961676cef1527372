/// SEMANTICS.md's seed lines S1-S10 in the ctys form, pmctl in place of ctys, without the
/// program name: the tests that run each of them share this one list.
enum SeedLines {
    static let ctysForms = [
        "-t pm -a create=wol,t:hostX,broadcast:hostXDirectedCast lab01",
        "-t pm -a create=CONSOLE:cli lab01",
        "-t pm -a cancel=1:tst100,POWEROFF:0 lab01",
        "-t xen -a cancel=1:tst100,force,POWEROFF:0 lab01",
        "-t xen -a cancel=1:tst100,POWEROFF,wol lab01",
        "-t xen -a cancel=1:tst100,POWEROFF,wol,broadcast:192.168.3.255 lab01",
        "-t pm -a cancel=1:tst001,REBOOT lab01",
        "-t pm -a cancel=1:tst001,REBOOT,SELF lab01",
        "-t xen -a cancel=1:tst100,REBOOT,FORCE lab01",
        "-t PM -a cancel=1:tst100,INIT:0 lab01",
    ]

    /// Each line's words, as a shell would pass them.
    static var arguments: [[String]] { ctysForms.map { $0.split(separator: " ").map(String.init) } }
}

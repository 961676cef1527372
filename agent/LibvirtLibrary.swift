#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// libvirt's C API, loaded at run time with `dlopen("libvirt.so.0")`, so the agent runs on
/// hosts without libvirt and builds without its development files. Only the handful of
/// calls the stack needs; their signatures are libvirt's stable public ABI.
final class LibvirtLibrary: @unchecked Sendable {
    // @unchecked: every stored property is an immutable function pointer into the library,
    // which is never unloaded.
    typealias ConnectOpen = @convention(c) (UnsafePointer<CChar>?) -> OpaquePointer?
    typealias ConnectClose = @convention(c) (OpaquePointer?) -> Int32
    typealias ListAllDomains = @convention(c) (OpaquePointer?, UnsafeMutablePointer<UnsafeMutablePointer<OpaquePointer?>?>?, UInt32) -> Int32
    typealias DomainName = @convention(c) (OpaquePointer?) -> UnsafePointer<CChar>?
    typealias DomainState = @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?, UInt32) -> Int32
    typealias DomainCall = @convention(c) (OpaquePointer?) -> Int32
    typealias DomainReboot = @convention(c) (OpaquePointer?, UInt32) -> Int32
    typealias LookupByName = @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> OpaquePointer?
    typealias LastErrorMessage = @convention(c) () -> UnsafePointer<CChar>?
    typealias ErrorHandler = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutableRawPointer?) -> Void
    typealias SetErrorFunc = @convention(c) (UnsafeMutableRawPointer?, ErrorHandler?) -> Void

    let connectOpen: ConnectOpen
    let connectClose: ConnectClose
    let listAllDomains: ListAllDomains
    let domainGetName: DomainName
    let domainGetState: DomainState
    let domainShutdown: DomainCall
    let domainReboot: DomainReboot
    let domainDestroy: DomainCall
    let domainFree: DomainCall
    let lookupByName: LookupByName
    let lastErrorMessage: LastErrorMessage

    /// The library, loaded once per process; nil when libvirt is not installed.
    static let shared: Result<LibvirtLibrary, AgentError> = load()

    private init(handle: UnsafeMutableRawPointer) throws(AgentError) {
        func symbol<T>(_ name: String, as type: T.Type) throws(AgentError) -> T {
            guard let pointer = dlsym(handle, name) else {
                throw AgentError.toolMissing("libvirt", "libvirt.so.0 lacks \(name) (libvirt older than 1.0.6?)")
            }
            return unsafeBitCast(pointer, to: type)
        }
        connectOpen = try symbol("virConnectOpen", as: ConnectOpen.self)
        connectClose = try symbol("virConnectClose", as: ConnectClose.self)
        listAllDomains = try symbol("virConnectListAllDomains", as: ListAllDomains.self)
        domainGetName = try symbol("virDomainGetName", as: DomainName.self)
        domainGetState = try symbol("virDomainGetState", as: DomainState.self)
        domainShutdown = try symbol("virDomainShutdown", as: DomainCall.self)
        domainReboot = try symbol("virDomainReboot", as: DomainReboot.self)
        domainDestroy = try symbol("virDomainDestroy", as: DomainCall.self)
        domainFree = try symbol("virDomainFree", as: DomainCall.self)
        lookupByName = try symbol("virDomainLookupByName", as: LookupByName.self)
        lastErrorMessage = try symbol("virGetLastErrorMessage", as: LastErrorMessage.self)
        // libvirt prints every error to stderr by default; the agent reports them itself.
        let setErrorFunc = try symbol("virSetErrorFunc", as: SetErrorFunc.self)
        setErrorFunc(nil, { _, _ in })
    }

    private static func load() -> Result<LibvirtLibrary, AgentError> {
        guard let handle = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            return .failure(.toolMissing("libvirt", "libvirt is not installed (dlopen libvirt.so.0: \(reason))"))
        }
        do {
            return .success(try LibvirtLibrary(handle: handle))
        } catch {
            return .failure(error)
        }
    }

    /// The message of the calling thread's last libvirt error.
    var lastError: String {
        lastErrorMessage().map { String(cString: $0).replacingControlCharacters } ?? "unknown libvirt error"
    }
}

/// This agent's own version, as `pmagent --version` and the greeting report it.
public enum AgentVersion {
    public static let current = "0.1.0"
}

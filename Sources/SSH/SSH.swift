public enum SSHPlaceholder {}

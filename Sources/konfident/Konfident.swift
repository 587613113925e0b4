import ArgumentParser

struct Konfident: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "konfident",
        abstract: "KONFIDENT sign-in: the sign-in service of KONFIDENT workspaces.",
        discussion: "Run without arguments as a CGI program (GATEWAY_INTERFACE set), it answers one request.",
        subcommands: [Serve.self, Migrate.self, WorkspaceCommand.self, MemberCommand.self, Deliver.self,
                      BankIDSimulatorCommand.self])
}

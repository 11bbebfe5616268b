#include "cli/app.h"

int main(int argc, char** argv) { return ledger::cli::run(argc, argv); }

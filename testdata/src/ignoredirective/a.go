package ignoredirective

func flagme() {}

func cases() {
	flagme() // want "flagme called"

	//resilvet:ignore flagcalls the line below is silenced
	flagme()

	flagme() //resilvet:ignore flagcalls silenced on its own line

	//resilvet:ignore otheranalyzer a directive for another check silences nothing here
	flagme() // want "flagme called"

	//resilvet:ignore flagcalls,otheranalyzer a list of checks works
	flagme()

	//resilvet:ignore all every check
	flagme()

	//resilvet:ignore flagcalls // want "resilvet:ignore directive for flagcalls has no reason; add why the finding is safe to ignore"
	flagme() // want "flagme called"

	//resilvet:ignore flagcalls only the next line

	flagme() // want "flagme called"
}

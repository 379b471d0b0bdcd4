package meetings

// defaultPrograms is the list a new schedule starts with: the thirteen
// programs of earlier Hearths (their keys unchanged, so no meeting changes on
// upgrade) and fellowships that meet online every day. Keys are the usual
// abbreviations the fellowships use themselves; formats follow each
// fellowship's own literature (Millati Islami and JACS are faith-based
// twelve-step fellowships; Recovery Dharma and Refuge Recovery, Buddhist-
// inspired, keep the "other" format earlier demos gave them; mental-health
// peer support is "other").
var defaultPrograms = [...]ProgramInfo{
	{Key: "AA", Name: "Alcoholics Anonymous", Abbreviation: "AA", Format: Format12Step},
	{Key: "NA", Name: "Narcotics Anonymous", Abbreviation: "NA", Format: Format12Step},
	{Key: "CA", Name: "Cocaine Anonymous", Abbreviation: "CA", Format: Format12Step},
	{Key: "CMA", Name: "Crystal Meth Anonymous", Abbreviation: "CMA", Format: Format12Step},
	{Key: "Al-Anon", Name: "Al-Anon Family Groups", Abbreviation: "Al-Anon", Format: Format12Step},
	{Key: "SMART Recovery", Name: "SMART Recovery", Format: FormatSMART},
	{Key: "Celebrate Recovery", Name: "Celebrate Recovery", Abbreviation: "CR", Format: FormatFaith},
	{Key: "Recovery Dharma", Name: "Recovery Dharma", Abbreviation: "RD", Format: FormatOtherKind},
	{Key: "Refuge Recovery", Name: "Refuge Recovery", Format: FormatOtherKind},
	{Key: "Millati Islami", Name: "Millati Islami", Format: FormatFaith},
	{Key: "Women for Sobriety", Name: "Women for Sobriety", Abbreviation: "WFS", Format: FormatSecular},
	{Key: "LifeRing", Name: "LifeRing Secular Recovery", Abbreviation: "LifeRing", Format: FormatSecular},
	{Key: "MARA", Name: "Medication-Assisted Recovery Anonymous", Abbreviation: "MARA", Format: Format12Step},
	{Key: "JACS", Name: "Jewish Alcoholics, Chemically Dependent Persons and Significant Others", Abbreviation: "JACS", Format: FormatFaith},
	{Key: "GA", Name: "Gamblers Anonymous", Abbreviation: "GA", Format: Format12Step},
	{Key: "OA", Name: "Overeaters Anonymous", Abbreviation: "OA", Format: Format12Step},
	{Key: "ACA", Name: "Adult Children of Alcoholics", Abbreviation: "ACA", Format: Format12Step},
	{Key: "CoDA", Name: "Co-Dependents Anonymous", Abbreviation: "CoDA", Format: Format12Step},
	{Key: "SLAA", Name: "Sex and Love Addicts Anonymous", Abbreviation: "SLAA", Format: Format12Step},
	{Key: "MA", Name: "Marijuana Anonymous", Abbreviation: "MA", Format: Format12Step},
	{Key: "HA", Name: "Heroin Anonymous", Abbreviation: "HA", Format: Format12Step},
	{Key: "Nar-Anon", Name: "Nar-Anon Family Groups", Abbreviation: "Nar-Anon", Format: Format12Step},
	{Key: "Alateen", Name: "Alateen", Format: Format12Step},
	{Key: "DRA", Name: "Dual Recovery Anonymous", Abbreviation: "DRA", Format: Format12Step},
	{Key: "EA", Name: "Emotions Anonymous", Abbreviation: "EA", Format: Format12Step},
	{Key: "DBSA", Name: "Depression and Bipolar Support Alliance", Abbreviation: "DBSA", Format: FormatOtherKind},
	{Key: "Grief Support", Name: "Grief support group", Format: FormatOtherKind},
	{Key: ProgramOther, Name: "Other program", Format: FormatOtherKind},
}

// DefaultPrograms is the list a new schedule is seeded with, in display
// order, each with its slug.
func DefaultPrograms() []ProgramInfo {
	out := make([]ProgramInfo, len(defaultPrograms))
	for i, p := range defaultPrograms {
		p.Slug = ProgramSlug(p.Key)
		out[i] = p
	}
	return out
}

// DefaultProgram returns the default program with key.
func DefaultProgram(key Program) (ProgramInfo, bool) {
	for _, p := range defaultPrograms {
		if p.Key == key {
			p.Slug = ProgramSlug(p.Key)
			return p, true
		}
	}
	return ProgramInfo{}, false
}

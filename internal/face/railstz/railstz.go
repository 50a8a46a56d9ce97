// Package railstz maps the Rails time-zone names that Danbooru and e621
// speak to the IANA zones usersd stores (spec/fields.md §3.0.4), and
// formats times the way Rails renders them.
package railstz

import (
	"time"
)

// zones is ActiveSupport::TimeZone::MAPPING in Rails' order, which decides
// the name rendered for an IANA zone several Rails names share.
var zones = [...]struct{ Rails, IANA string }{
	{"International Date Line West", "Etc/GMT+12"},
	{"Midway Island", "Pacific/Midway"},
	{"American Samoa", "Pacific/Pago_Pago"},
	{"Hawaii", "Pacific/Honolulu"},
	{"Alaska", "America/Juneau"},
	{"Pacific Time (US & Canada)", "America/Los_Angeles"},
	{"Tijuana", "America/Tijuana"},
	{"Mountain Time (US & Canada)", "America/Denver"},
	{"Arizona", "America/Phoenix"},
	{"Chihuahua", "America/Chihuahua"},
	{"Mazatlan", "America/Mazatlan"},
	{"Central Time (US & Canada)", "America/Chicago"},
	{"Saskatchewan", "America/Regina"},
	{"Guadalajara", "America/Mexico_City"},
	{"Mexico City", "America/Mexico_City"},
	{"Monterrey", "America/Monterrey"},
	{"Central America", "America/Guatemala"},
	{"Eastern Time (US & Canada)", "America/New_York"},
	{"Indiana (East)", "America/Indiana/Indianapolis"},
	{"Bogota", "America/Bogota"},
	{"Lima", "America/Lima"},
	{"Quito", "America/Lima"},
	{"Atlantic Time (Canada)", "America/Halifax"},
	{"Caracas", "America/Caracas"},
	{"La Paz", "America/La_Paz"},
	{"Santiago", "America/Santiago"},
	{"Newfoundland", "America/St_Johns"},
	{"Brasilia", "America/Sao_Paulo"},
	{"Buenos Aires", "America/Argentina/Buenos_Aires"},
	{"Montevideo", "America/Montevideo"},
	{"Georgetown", "America/Guyana"},
	{"Puerto Rico", "America/Puerto_Rico"},
	{"Greenland", "America/Godthab"},
	{"Mid-Atlantic", "Atlantic/South_Georgia"},
	{"Azores", "Atlantic/Azores"},
	{"Cape Verde Is.", "Atlantic/Cape_Verde"},
	{"Dublin", "Europe/Dublin"},
	{"Edinburgh", "Europe/London"},
	{"Lisbon", "Europe/Lisbon"},
	{"London", "Europe/London"},
	{"Casablanca", "Africa/Casablanca"},
	{"Monrovia", "Africa/Monrovia"},
	{"UTC", "Etc/UTC"},
	{"Belgrade", "Europe/Belgrade"},
	{"Bratislava", "Europe/Bratislava"},
	{"Budapest", "Europe/Budapest"},
	{"Ljubljana", "Europe/Ljubljana"},
	{"Prague", "Europe/Prague"},
	{"Sarajevo", "Europe/Sarajevo"},
	{"Skopje", "Europe/Skopje"},
	{"Warsaw", "Europe/Warsaw"},
	{"Zagreb", "Europe/Zagreb"},
	{"Brussels", "Europe/Brussels"},
	{"Copenhagen", "Europe/Copenhagen"},
	{"Madrid", "Europe/Madrid"},
	{"Paris", "Europe/Paris"},
	{"Amsterdam", "Europe/Amsterdam"},
	{"Berlin", "Europe/Berlin"},
	{"Bern", "Europe/Zurich"},
	{"Zurich", "Europe/Zurich"},
	{"Rome", "Europe/Rome"},
	{"Stockholm", "Europe/Stockholm"},
	{"Vienna", "Europe/Vienna"},
	{"West Central Africa", "Africa/Algiers"},
	{"Bucharest", "Europe/Bucharest"},
	{"Cairo", "Africa/Cairo"},
	{"Helsinki", "Europe/Helsinki"},
	{"Kyiv", "Europe/Kiev"},
	{"Riga", "Europe/Riga"},
	{"Sofia", "Europe/Sofia"},
	{"Tallinn", "Europe/Tallinn"},
	{"Vilnius", "Europe/Vilnius"},
	{"Athens", "Europe/Athens"},
	{"Istanbul", "Europe/Istanbul"},
	{"Minsk", "Europe/Minsk"},
	{"Jerusalem", "Asia/Jerusalem"},
	{"Harare", "Africa/Harare"},
	{"Pretoria", "Africa/Johannesburg"},
	{"Kaliningrad", "Europe/Kaliningrad"},
	{"Moscow", "Europe/Moscow"},
	{"St. Petersburg", "Europe/Moscow"},
	{"Volgograd", "Europe/Volgograd"},
	{"Samara", "Europe/Samara"},
	{"Kuwait", "Asia/Kuwait"},
	{"Riyadh", "Asia/Riyadh"},
	{"Nairobi", "Africa/Nairobi"},
	{"Baghdad", "Asia/Baghdad"},
	{"Tehran", "Asia/Tehran"},
	{"Abu Dhabi", "Asia/Muscat"},
	{"Muscat", "Asia/Muscat"},
	{"Baku", "Asia/Baku"},
	{"Tbilisi", "Asia/Tbilisi"},
	{"Yerevan", "Asia/Yerevan"},
	{"Kabul", "Asia/Kabul"},
	{"Ekaterinburg", "Asia/Yekaterinburg"},
	{"Islamabad", "Asia/Karachi"},
	{"Karachi", "Asia/Karachi"},
	{"Tashkent", "Asia/Tashkent"},
	{"Chennai", "Asia/Kolkata"},
	{"Kolkata", "Asia/Kolkata"},
	{"Mumbai", "Asia/Kolkata"},
	{"New Delhi", "Asia/Kolkata"},
	{"Kathmandu", "Asia/Kathmandu"},
	{"Astana", "Asia/Dhaka"},
	{"Dhaka", "Asia/Dhaka"},
	{"Sri Jayawardenepura", "Asia/Colombo"},
	{"Almaty", "Asia/Almaty"},
	{"Novosibirsk", "Asia/Novosibirsk"},
	{"Rangoon", "Asia/Rangoon"},
	{"Bangkok", "Asia/Bangkok"},
	{"Hanoi", "Asia/Bangkok"},
	{"Jakarta", "Asia/Jakarta"},
	{"Krasnoyarsk", "Asia/Krasnoyarsk"},
	{"Beijing", "Asia/Shanghai"},
	{"Chongqing", "Asia/Chongqing"},
	{"Hong Kong", "Asia/Hong_Kong"},
	{"Urumqi", "Asia/Urumqi"},
	{"Kuala Lumpur", "Asia/Kuala_Lumpur"},
	{"Singapore", "Asia/Singapore"},
	{"Taipei", "Asia/Taipei"},
	{"Perth", "Australia/Perth"},
	{"Irkutsk", "Asia/Irkutsk"},
	{"Ulaanbaatar", "Asia/Ulaanbaatar"},
	{"Seoul", "Asia/Seoul"},
	{"Osaka", "Asia/Tokyo"},
	{"Sapporo", "Asia/Tokyo"},
	{"Tokyo", "Asia/Tokyo"},
	{"Yakutsk", "Asia/Yakutsk"},
	{"Darwin", "Australia/Darwin"},
	{"Adelaide", "Australia/Adelaide"},
	{"Canberra", "Australia/Melbourne"},
	{"Melbourne", "Australia/Melbourne"},
	{"Sydney", "Australia/Sydney"},
	{"Brisbane", "Australia/Brisbane"},
	{"Hobart", "Australia/Hobart"},
	{"Vladivostok", "Asia/Vladivostok"},
	{"Guam", "Pacific/Guam"},
	{"Port Moresby", "Pacific/Port_Moresby"},
	{"Magadan", "Asia/Magadan"},
	{"Srednekolymsk", "Asia/Srednekolymsk"},
	{"Solomon Is.", "Pacific/Guadalcanal"},
	{"New Caledonia", "Pacific/Noumea"},
	{"Fiji", "Pacific/Fiji"},
	{"Kamchatka", "Asia/Kamchatka"},
	{"Marshall Is.", "Pacific/Majuro"},
	{"Auckland", "Pacific/Auckland"},
	{"Wellington", "Pacific/Auckland"},
	{"Nuku'alofa", "Pacific/Tongatapu"},
	{"Tokelau Is.", "Pacific/Fakaofo"},
	{"Chatham Is.", "Pacific/Chatham"},
	{"Samoa", "Pacific/Apia"},
}

var toIANA = func() map[string]string {
	m := make(map[string]string, len(zones))
	for _, z := range zones {
		m[z.Rails] = z.IANA
	}
	return m
}()

var toRails = func() map[string]string {
	m := make(map[string]string, len(zones))
	for _, z := range zones {
		if _, ok := m[z.IANA]; !ok {
			m[z.IANA] = z.Rails
		}
	}
	return m
}()

// Default is the zone of anonymous viewers and of users without one.
const Default = "Eastern Time (US & Canada)"

// DefaultIANA is Default's IANA zone.
const DefaultIANA = "America/New_York"

// IANA returns the IANA zone of a Rails zone name.
func IANA(rails string) (string, bool) {
	z, ok := toIANA[rails]
	return z, ok
}

// Parse reads a time_zone written through Danbooru or e621: a Rails name
// gives its IANA zone and keeps the Rails name for round trips; an IANA
// name (when allowIANA, as Rails accepts both) is kept alone.
func Parse(s string, allowIANA bool) (iana string, rails *string, ok bool) {
	if z, found := toIANA[s]; found {
		name := s
		return z, &name, true
	}
	if allowIANA && s != "" && s != "Local" {
		if _, err := time.LoadLocation(s); err == nil {
			return s, nil, true
		}
	}
	return "", nil, false
}

// Render returns the time_zone Danbooru and e621 show for a user's stored
// zone: the Rails name last written, else the first Rails name of the IANA
// zone, else the IANA name; unset is Default.
func Render(timezone, rails *string) string {
	switch {
	case timezone == nil:
		return Default
	case rails != nil:
		return *rails
	}
	if r, ok := toRails[*timezone]; ok {
		return r
	}
	return *timezone
}

var (
	defaultLoc = mustLoad(DefaultIANA)
	cache      = map[string]*time.Location{}
)

func init() {
	for _, z := range zones {
		if _, ok := cache[z.IANA]; !ok {
			cache[z.IANA] = mustLoad(z.IANA)
		}
	}
}

func mustLoad(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic("railstz: " + err.Error())
	}
	return l
}

// Location is the zone timestamps are shown in for a viewer whose stored
// zone is timezone (nil: anonymous or unset → US Eastern).
func Location(timezone *string) *time.Location {
	if timezone == nil {
		return defaultLoc
	}
	if l, ok := cache[*timezone]; ok {
		return l
	}
	if l, err := time.LoadLocation(*timezone); err == nil {
		return l
	}
	return defaultLoc
}

// JSON formats t as Rails renders times in JSON: milliseconds and the
// zone's offset, Z at offset zero.
func JSON(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02T15:04:05.000Z07:00")
}

// XML formats t as Rails renders times in XML: whole seconds.
func XML(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02T15:04:05Z07:00")
}

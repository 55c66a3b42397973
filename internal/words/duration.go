package words

import (
	"strconv"
	"strings"
	"time"
)

// Duration says d to the second as people write it: "1 giờ 5 phút",
// "6 phút 47 giây", "45 giây" ("1 h 5 min", "6 min 47 s", "45 s" in
// English). Zero parts are left out; under half a second is "0 giây".
func Duration(lang string, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	s := int64(d.Round(time.Second) / time.Second)
	h, m, sec := s/3600, s/60%60, s%60
	units := [3]string{"giờ", "phút", "giây"}
	if lang == "en" {
		units = [3]string{"h", "min", "s"}
	}
	var parts []string
	for i, n := range [3]int64{h, m, sec} {
		if n > 0 {
			parts = append(parts, strconv.FormatInt(n, 10)+" "+units[i])
		}
	}
	if len(parts) == 0 {
		return "0 " + units[2]
	}
	return strings.Join(parts, " ")
}

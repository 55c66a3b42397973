package report

import (
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"

	"github.com/gomutex/godocx"
	"github.com/xuri/excelize/v2"
)

// provinceView is the province report laid out for the printed forms:
// the administrative header of the station report (htmlView's fields), the
// communes' table and the province's topic table.
type provinceView struct {
	htmlView
	PW           provinceWords
	CommuneHeads []string
	CommuneRows  [][]string // code, name, last sync, airings, minutes, segments, topics below target
	CommuneBelow []bool
	Below        []string // "code name: topic, topic"
	NotSynced    []string // "code name (last sync)"
}

func (p Province) view(lang string) (provinceView, error) {
	wd, err := wordsFor(lang)
	if err != nil {
		return provinceView{}, err
	}
	pw := provinceWordsFor(wd.lang)
	r := Report{Period: p.Period, Topics: p.Topics, Totals: p.Totals, Header: p.Header, Issued: p.Issued, location: p.location}
	hv, err := r.htmlView(wd)
	if err != nil {
		return provinceView{}, err
	}
	hv.Title, hv.Subtitle, hv.SecTopics = pw.Title, pw.Subtitle, pw.SecProvince
	hv.DocTitle = pw.Title + " — " + hv.Label
	v := provinceView{htmlView: hv, PW: pw,
		CommuneHeads: []string{pw.ColCode, pw.ColCommune, pw.ColSync, wd.colAirings, wd.colMinutes, wd.colSegments, pw.ColBelow}}
	for i := range v.CommuneHeads {
		v.CommuneHeads[i] = strings.ReplaceAll(v.CommuneHeads[i], "\n", " ")
	}
	for _, c := range p.Communes {
		below := belowNames(c)
		v.CommuneRows = append(v.CommuneRows, []string{c.Code, c.Name, p.syncText(pw, c), strconv.Itoa(c.Totals.Airings),
			wd.num(c.Totals.Minutes), strconv.Itoa(c.Totals.Segments), strconv.Itoa(len(below))})
		v.CommuneBelow = append(v.CommuneBelow, len(below) > 0)
	}
	for _, c := range p.BelowTarget() {
		v.Below = append(v.Below, c.Code+" "+c.Name+": "+strings.Join(belowNames(c), "; "))
	}
	for _, c := range p.NotSynced() {
		v.NotSynced = append(v.NotSynced, c.Code+" "+c.Name+" ("+pw.ColSync+": "+p.syncText(pw, c)+")")
	}
	return v, nil
}

// WriteText writes the province report for a terminal or a text file.
func (p Province) WriteText(w io.Writer, lang string) error {
	v, err := p.view(lang)
	if err != nil {
		return err
	}
	wd, _ := wordsFor(lang)
	var b strings.Builder
	line := func(s string) { b.WriteString(strings.TrimRight(s, " ")); b.WriteByte('\n') }
	topics := topicTable(wd, p.Topics, p.Totals)
	cols := []column{{head: v.CommuneHeads[0]}, {head: v.CommuneHeads[1], max: 30}, {head: v.CommuneHeads[2]},
		{head: v.CommuneHeads[3], right: true}, {head: v.CommuneHeads[4], right: true}, {head: v.CommuneHeads[5], right: true},
		{head: v.CommuneHeads[6], right: true}}
	communes := table(cols, v.CommuneRows, [][]string{{"", wd.total, "", strconv.Itoa(p.Totals.Airings), wd.num(p.Totals.Minutes),
		strconv.Itoa(p.Totals.Segments), ""}})
	page := minPage
	for _, l := range append(append([]string{}, topics...), communes...) {
		page = max(page, width(l))
	}
	if v.Superior != "" {
		line(v.Superior)
	}
	line(v.Committee)
	line("")
	line(center(v.Title, page))
	for _, l := range wrap(v.Subtitle+" "+v.Label, page-4) {
		line(center(l, page))
	}
	line("")
	line(v.PerLine)
	line("")
	line(v.PW.SecCommunes)
	for _, l := range communes {
		line(l)
	}
	line("")
	line(v.PW.SecProvince)
	for _, l := range topics {
		line(l)
	}
	line("")
	for _, sec := range []struct {
		head  string
		items []string
	}{{v.PW.SecBelow, v.Below}, {v.PW.SecNotSynced, v.NotSynced}} {
		line(sec.head)
		if len(sec.items) == 0 {
			line(v.PW.NoneOK)
		}
		for _, it := range sec.items {
			for _, l := range hang("- "+it, page, "  ") {
				line(l)
			}
		}
		line("")
	}
	_, err = io.WriteString(w, strings.TrimRight(b.String(), "\n")+"\n")
	return err
}

var provinceHTML = template.Must(template.New("province").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.DocTitle}}</title>
<style>
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
body { font-family: "Times New Roman", serif; font-size: 13pt; max-width: 170mm; margin: 0 auto; }
.head { display: flex; justify-content: space-between; text-align: center; }
.head b { display: block; }
h1 { text-align: center; font-size: 14pt; margin: 18pt 0 0; }
h2 { font-size: 13pt; margin: 14pt 0 6pt; }
.sub { text-align: center; font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 11pt; }
th, td { border: 1px solid #000; padding: 2pt 4pt; }
th { background: #e8e8e8; }
td.n { text-align: right; }
tr.below td { background: #fde8e4; }
</style></head><body>
<div class="head"><div>{{if .Superior}}{{.Superior}}<br>{{end}}<b>{{.Committee}}</b>{{.DocNo}}</div>
<div><b>{{.Nation}}</b><b>{{.Motto}}</b><i>{{.Issued}}</i></div></div>
<h1>{{.Title}}</h1><p class="sub">{{.Subtitle}}<br>{{.Label}}</p>
<p>{{.PerLine}}</p>
<h2>{{.PW.SecCommunes}}</h2>
<table><tr>{{range .CommuneHeads}}<th>{{.}}</th>{{end}}</tr>
{{range $i, $r := .CommuneRows}}<tr{{if index $.CommuneBelow $i}} class="below"{{end}}>{{range $j, $c := $r}}<td{{if gt $j 2}} class="n"{{end}}>{{$c}}</td>{{end}}</tr>
{{end}}</table>
<h2>{{.PW.SecProvince}}</h2>
<table><tr>{{range .Table.Heads}}<th>{{range $k, $l := .}}{{if $k}}<br>{{end}}{{$l}}{{end}}</th>{{end}}</tr>
{{range .Table.Rows}}<tr{{if .Below}} class="below"{{end}}><td class="n">{{.No}}</td><td>{{.Name}}{{if .Flag}} <i>{{.Flag}}</i>{{end}}</td><td class="n">{{.TargetAirings}}</td><td class="n">{{.TargetMinutes}}</td><td class="n">{{.Airings}}</td><td class="n">{{.Minutes}}</td><td class="n">{{.Segments}}</td><td class="n">{{.Pct}}</td></tr>
{{end}}<tr><td></td><td><b>{{.Table.Total.Name}}</b></td><td></td><td></td><td class="n"><b>{{.Table.Total.Airings}}</b></td><td class="n"><b>{{.Table.Total.Minutes}}</b></td><td class="n"><b>{{.Table.Total.Segments}}</b></td><td></td></tr></table>
<h2>{{.PW.SecBelow}}</h2>{{if .Below}}<ul>{{range .Below}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>{{.PW.NoneOK}}</p>{{end}}
<h2>{{.PW.SecNotSynced}}</h2>{{if .NotSynced}}<ul>{{range .NotSynced}}<li>{{.}}</li>{{end}}</ul>{{else}}<p>{{.PW.NoneOK}}</p>{{end}}
</body></html>
`))

// WriteHTML writes the province report as one self-contained page that
// prints on A4.
func (p Province) WriteHTML(w io.Writer, lang string) error {
	v, err := p.view(lang)
	if err != nil {
		return err
	}
	return provinceHTML.Execute(w, v)
}

// WriteXLSX writes the province report as a workbook: the communes' sheet
// and the province's topics, set up to print on A4 with the station
// report's styles.
func (p Province) WriteXLSX(w io.Writer, lang string) error {
	v, err := p.view(lang)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	x := &xlsxWriter{f: f, wd: mustWords(lang), loc: p.loc()}
	x.do(f.SetDefaultFont(xlsxFont))
	x.styles()
	communes, topics := strings.TrimPrefix(v.PW.SecCommunes, "I. "), strings.TrimPrefix(v.PW.SecProvince, "II. ")
	communes, topics = shortSheet(communes), shortSheet(topics)
	x.do(f.SetSheetName("Sheet1", communes))
	_, err = f.NewSheet(topics)
	x.do(err)

	x.set(communes, 1, 1, v.Committee)
	x.set(communes, 1, 2, v.Title)
	x.set(communes, 1, 3, v.Subtitle+" "+v.Label)
	for _, rr := range []int{1, 2, 3} {
		x.merge(communes, 1, rr, 7, rr)
	}
	x.styleRange(communes, 1, 1, 7, 1, x.bold)
	x.styleRange(communes, 1, 2, 7, 2, x.title)
	x.styleRange(communes, 1, 3, 7, 3, x.bold)
	const top = 5
	for i, h := range v.CommuneHeads {
		x.set(communes, i+1, top, h)
	}
	x.styleRange(communes, 1, top, 7, top, x.head)
	for i, r := range v.CommuneRows {
		for j, c := range r {
			var val any = c
			if j >= 3 {
				if n, err := strconv.ParseFloat(strings.ReplaceAll(c, ",", "."), 64); err == nil {
					val = n
				}
			}
			x.set(communes, j+1, top+1+i, val)
		}
		below := 0
		if v.CommuneBelow[i] {
			below = 1
		}
		x.styleRange(communes, 1, top+1+i, 7, top+1+i, x.cells[below][0])
	}
	last := top + len(v.CommuneRows) + 2
	for i, sec := range [][]string{v.Below, v.NotSynced} {
		x.set(communes, 1, last, []string{v.PW.SecBelow, v.PW.SecNotSynced}[i])
		x.styleRange(communes, 1, last, 1, last, x.boldLeft)
		last++
		if len(sec) == 0 {
			sec = []string{v.PW.NoneOK}
		}
		for _, it := range sec {
			x.set(communes, 1, last, it)
			last++
		}
		last++
	}
	x.widths(communes, []float64{10, 28, 18, 10, 10, 10, 14})
	x.page(communes, false, 7, last, top)

	x.set(topics, 1, 1, v.Title+" — "+v.Label)
	x.merge(topics, 1, 1, 8, 1)
	x.styleRange(topics, 1, 1, 8, 1, x.title)
	for i, h := range v.Table.Heads {
		x.set(topics, i+1, 3, strings.Join(h, " "))
	}
	x.styleRange(topics, 1, 3, 8, 3, x.head)
	for i, t := range p.Topics {
		rr := 4 + i
		var pct any = "-"
		if t.AchievedPct != nil {
			pct = *t.AchievedPct
		}
		for j, c := range []any{i + 1, t.Name, t.TargetAirings, t.TargetMinutes, t.Airings, t.Minutes, t.Segments, pct} {
			x.set(topics, j+1, rr, c)
		}
		below := 0
		if t.BelowTarget {
			below = 1
		}
		x.styleRange(topics, 1, rr, 8, rr, x.cells[below][1])
	}
	tr := 4 + len(p.Topics)
	for j, c := range []any{"", v.Table.Total.Name, "", "", p.Totals.Airings, p.Totals.Minutes, p.Totals.Segments, ""} {
		x.set(topics, j+1, tr, c)
	}
	x.styleRange(topics, 1, tr, 8, tr, x.total)
	x.widths(topics, []float64{5, 40, 10, 10, 10, 10, 10, 10})
	x.page(topics, false, 8, tr, 3)
	f.SetActiveSheet(0)
	if x.err != nil {
		return fmt.Errorf("xlsx: %w", x.err)
	}
	_, err = f.WriteTo(w)
	return err
}

// shortSheet fits a heading to Excel's 31-character sheet names.
func shortSheet(s string) string {
	r := []rune(s)
	if len(r) > 31 {
		r = r[:31]
	}
	return strings.TrimSpace(string(r))
}

func mustWords(lang string) words {
	wd, err := wordsFor(lang)
	if err != nil {
		wd, _ = wordsFor("vi")
	}
	return wd
}

// WriteDOCX writes the province report as the administrative form in a
// Word document, with the station report's header and tables.
func (p Province) WriteDOCX(w io.Writer, lang string) error {
	v, err := p.view(lang)
	if err != nil {
		return err
	}
	doc, err := godocx.NewDocument()
	if err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	d := docxWriter{doc: doc}
	d.setup(v.Lang)
	d.header(v.htmlView)
	d.title(v.htmlView)
	d.heading(v.PW.SecCommunes)
	t, widths := d.table([]float64{0.11, 0.27, 0.18, 0.11, 0.11, 0.11, 0.11}, true)
	head := row(t, widths, true)
	for i, h := range v.CommuneHeads {
		head[i].VerticalAlign("center").BackgroundColor("E8E8E8")
		cellPara(head[i], h, docxSmall, style{bold: true, center: true})
	}
	for i, r := range v.CommuneRows {
		c := row(t, widths, false)
		for j, s := range r {
			if v.CommuneBelow[i] {
				c[j].BackgroundColor("FDE8E4")
			}
			cellPara(c[j], s, docxTable, style{right: j > 2})
		}
	}
	d.topics(v.htmlView)
	for _, sec := range []struct {
		head  string
		items []string
	}{{v.PW.SecBelow, v.Below}, {v.PW.SecNotSynced, v.NotSynced}} {
		d.heading(sec.head)
		if len(sec.items) == 0 {
			d.para(v.PW.NoneOK, docxBody, style{})
		}
		for _, it := range sec.items {
			d.para("- "+it, docxBody, style{indent: mm(5)})
		}
	}
	if err := doc.Write(w); err != nil {
		return fmt.Errorf("docx: %w", err)
	}
	return nil
}

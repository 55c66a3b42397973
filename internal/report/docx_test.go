package report

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
)

// docxParts reads the parts of a Word document.
func docxParts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the DOCX is not a zip: %v", err)
	}
	parts := map[string]string{}
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[f.Name] = string(data)
	}
	return parts
}

// docxDump is the document's text, a paragraph a line, a cell's
// paragraphs after a tab: its content without the zip's timestamps.
func docxDump(t *testing.T, document string) []byte {
	t.Helper()
	var b strings.Builder
	dec := xml.NewDecoder(strings.NewReader(document))
	inText, inCell := false, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("word/document.xml: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "t":
				inText = true
			case "tc":
				inCell++
			case "br":
				b.WriteString("⏎")
			}
		case xml.EndElement:
			switch e.Name.Local {
			case "t":
				inText = false
			case "tc":
				inCell--
			case "tr":
				b.WriteString("────\n")
			case "p":
				b.WriteByte('\n')
				if inCell > 0 {
					b.WriteByte('\t')
				}
			}
		case xml.CharData:
			if inText {
				b.Write(e)
			}
		}
	}
	return []byte(b.String())
}

func TestDOCX(t *testing.T) {
	r := Build(fixture(t))
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.WriteDOCX(&b, lang); err != nil {
				t.Fatal(err)
			}
			parts := docxParts(t, b.Bytes())
			doc, styles := parts["word/document.xml"], parts["word/styles.xml"]
			if doc == "" || styles == "" || parts["[Content_Types].xml"] == "" {
				t.Fatalf("parts missing: %d parts", len(parts))
			}
			golden(t, "may2024."+lang+".docx.txt", docxDump(t, doc))
			// A4 portrait, margins of Decree 30/2020 (twips: 20, 20, 30, 15 mm).
			for _, want := range []string{`w:w="11907"`, `w:h="16840"`, `w:top="1134"`, `w:bottom="1134"`,
				`w:left="1701"`, `w:right="851"`} {
				if !strings.Contains(doc, want) {
					t.Errorf("sectPr has no %s", want)
				}
			}
			// Times New Roman, 13 pt by default.
			defaults := styles[strings.Index(styles, "<w:docDefaults>"):strings.Index(styles, "</w:docDefaults>")]
			if !strings.Contains(defaults, `w:ascii="Times New Roman"`) || !strings.Contains(defaults, `<w:sz w:val="26">`) &&
				!strings.Contains(defaults, `<w:sz w:val="26"/>`) && !strings.Contains(defaults, `<w:sz w:val="26"></w:sz>`) {
				t.Errorf("default run properties are not Times New Roman 13 pt:\n%s", defaults)
			}
			// The tables' heading rows repeat on each page.
			if n := strings.Count(doc, "<w:tblHeader"); n < 3 {
				t.Errorf("%d heading rows marked to repeat, want the topics', the incidents' and the calendar's", n)
			}
		})
	}
	if err := r.WriteDOCX(&bytes.Buffer{}, "fr"); err == nil {
		t.Error("WriteDOCX(fr): no error")
	}
}

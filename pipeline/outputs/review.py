"""The review page of a drafted gold file: one self-contained HTML page on which a person reads each
section's text and accepts, corrects or rejects every predicted item, adds what is missing, and
downloads the gold file.

It is a page of its own, written by ``gold draft`` beside the gold (``NAME.gold.review.html``), not
a part of the run's ``report.html``: it carries the draft and an editor, which every run's report
would otherwise carry for nothing, and it belongs to one gold file. It looks like the report and
shows the text the same way (``report.highlighted``: the same marks, the same escaping, the same
styles), because a gold is written from the text (SPEC.md), not from the list of predictions.

Like the report, it needs no network: inline CSS and script, no external file. The draft, the
predictions' context (mentions, evidence sentences, cues) and the vocabularies travel in one JSON
block, escaped so that no string of the data can end it; the script builds the controls from it with
DOM calls and ``textContent`` only. The vocabularies are the product's own (agreement types, date
precisions: ``models``; themes: the configuration's ``themes.toml``), never copied. The same draft
gives the same page, byte for byte.
"""

from __future__ import annotations

import json

from ..config import Config
from ..models import (
    AGREEMENT_TYPES,
    FRENCH_LABELS,
    GOLD_ITEM_KEYS,
    GOLD_PARTNER_KEYS,
    GOLD_REVIEW,
    ISO_LENGTH,
    PARTIAL_DATE,
)
from .report import CSS, KIND_LABELS, KIND_NAMES, escape_html, highlighted

# The item lists of a partner, each with its title and the kind of its marks in the text.
FIELDS = (("organisations", "Organisations", "org"), ("agreements", "Accords", "agreement"),
          ("dates", "Dates", "date"), ("themes", "Thèmes", None))

# How the "add" button names one item of each list.
ONE = {"organisations": "une organisation", "agreements": "un accord", "dates": "une date", "themes": "un thème"}

REVIEW_CSS = """
.warn { border-left: 4px solid var(--agreement); background: #fff8e6; padding: .5rem .8rem; margin: .6rem 0;
  border-radius: 0 .3rem .3rem 0; max-width: 60rem; }
.toolbar button, .partner button, .finish button { font: inherit; font-size: .85rem; padding: .1rem .5rem;
  border: 1px solid var(--line); border-radius: .3rem; background: #fff; cursor: pointer; }
.toolbar button.primary, .finish button.primary { background: #1f883d; color: #fff; border-color: #1a7f37; }
#left { font-weight: 700; } #left.done { color: #1a7f37; }
.items { list-style: none; padding: 0; margin: 0; }
.item { border-left: 4px solid var(--line); padding: .25rem .5rem; margin: .3rem 0; border-radius: 0 .3rem .3rem 0;
  background: var(--bg); font-size: .88rem; }
.item.accepted { border-color: #1a7f37; background: #eefbf1; }
.item.corrected { border-color: #0969da; background: #eef5ff; }
.item.added { border-color: #8250df; background: #f6f0ff; }
.item.rejected { border-color: var(--missing); background: #fff1f0; }
.item.rejected .desc { text-decoration: line-through; color: var(--muted); }
.item .state { font-size: .75rem; font-weight: 700; text-transform: uppercase; letter-spacing: .03em;
  color: var(--muted); margin-right: .35rem; }
.item .acts, .partner-review .acts { margin-top: .2rem; display: flex; flex-wrap: wrap; gap: .3rem; }
.item .was { color: var(--muted); font-size: .8rem; }
.partner-review { margin: .4rem 0; display: flex; flex-wrap: wrap; gap: .3rem .8rem; align-items: center; }
.partner-review .state { font-weight: 700; }
.partner.rejected .body, .partner.rejected .themes { opacity: .45; }
.partner.rejected h2 { text-decoration: line-through; }
form.edit { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem .5rem; margin: .35rem 0;
  align-items: center; }
form.edit input, form.edit select { font: inherit; font-size: .85rem; padding: .1rem .3rem; width: 100%; }
form.edit .row { grid-column: 1 / -1; display: flex; gap: .3rem; }
form.edit .hint { grid-column: 2; color: var(--muted); font-size: .75rem; margin-top: -.2rem; }
.error { grid-column: 1 / -1; color: var(--missing); font-weight: 600; margin: 0; }
.partner .text { position: sticky; top: 3.5rem; align-self: start; }  /* beside the items as they scroll */
mark.ent.focus { outline: 2px solid var(--ink); outline-offset: 1px; }
body.hide-done .item:not(.pending):not(.editing) { display: none; }
.finish { border-top: 1px solid var(--line); margin-top: 2rem; padding-top: 1rem; }
.finish textarea { width: 100%; font: .85rem ui-monospace, Menlo, Consolas, monospace; }
"""

# Builds the controls from the JSON block; the gold it downloads keeps the draft's keys and order, so
# that a file downloaded before any decision is the draft itself, byte for byte.
SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var MARK = data.mark, V = data.vocabulary, FIELDS = data.fields;
  // models.marked_for_review: any value but false or null is a mark ("true" written by hand too).
  function marked(obj) { return obj[MARK] !== undefined && obj[MARK] !== null && obj[MARK] !== false; }
  var DATE = new RegExp("^(?:" + V.partial_date + ")$");
  var PRECISION_BY_LENGTH = {};
  Object.keys(V.iso_length).forEach(function (p) { PRECISION_BY_LENGTH[V.iso_length[p]] = p; });
  var TYPE_LABELS = {}, THEME_LABELS = {};
  V.agreement_types.forEach(function (t) { TYPE_LABELS[t[0]] = t[1]; });
  V.themes.forEach(function (t) { THEME_LABELS[t[0]] = t[1]; });
  var dirty = false;

  function pick(obj, keys) {
    var out = {};
    keys.forEach(function (k) { if (Object.prototype.hasOwnProperty.call(obj, k)) { out[k] = obj[k]; } });
    return out;
  }
  var state = data.gold.partners.map(function (p, i) {
    var lists = {};
    FIELDS.forEach(function (f) {
      lists[f.name] = (p[f.name] || []).map(function (item, j) {
        var ctx = ((data.context[i] || {})[f.name] || [])[j] || null;
        return {status: marked(item) ? "pending" : "accepted", value: pick(item, f.keys),
                original: pick(item, f.keys), context: ctx, editing: false};
      });
    });
    return {status: marked(p) ? "pending" : "accepted", value: pick(p, data.partner_keys),
            original: pick(p, data.partner_keys), lists: lists, editing: false};
  });

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === "") { return; }
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function quoted(s) { return "\u00ab\u00a0" + s + "\u00a0\u00bb"; }
  function button(label, act, extra) {
    var attrs = {type: "button", "data-act": act, text: label};
    Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
    return el("button", attrs);
  }
  var STATE_LABELS = {pending: "à relire", accepted: "accepté", corrected: "corrigé", rejected: "rejeté",
                      added: "ajouté"};

  // --- What each item says -------------------------------------------------------------------------
  function describe(field, v) {
    if (field === "organisations") {
      return [el("b", {text: v.name || "?"}), v.acronym ? " " : "",
              v.acronym ? el("span", {"class": "badge", text: v.acronym}) : ""];
    }
    if (field === "agreements") {
      return [el("b", {text: TYPE_LABELS[v.type] || v.type || "?"}), " ", el("code", {text: v.type || ""}),
              " \u00b7 date : " + (v.date || "sans date") +
              " \u00b7 parties : " + ((v.parties || []).join(", ") || "\u2014")];
    }
    if (field === "dates") {
      return [el("b", {text: v.value || "?"}), v.text ? " " + quoted(v.text) : "",
              " \u00b7 " + (V.precision_labels[v.precision] || v.precision || "?")];
    }
    return [el("span", {"class": "badge", text: THEME_LABELS[v.code] || v.code || "?"}), " ",
            el("code", {text: v.code || ""})];
  }
  function context(field, c) {
    if (!c) { return []; }
    var parts = [];
    if (field === "organisations") {
      if (c.source) { parts.push(" (" + (V.source_labels[c.source] || c.source) + ")"); }
      if (c.mentions && c.mentions.length) {
        parts.push(el("div", {"class": "note", text: "dans le texte : " + c.mentions.map(quoted).join(", ")}));
      }
    } else if (field === "agreements") {
      parts.push(el("div", {"class": "note", text: "écrit " + quoted(c.label || "") +
        (c.status ? " \u00b7 " + (V.status_labels[c.status] || c.status) : "")}));
      if (c.evidence) {
        parts.push(el("details", {}, [el("summary", {text: "phrase"}), c.evidence]));
      }
    } else if (field === "dates") {
      if (c.role) { parts.push(" \u00b7 " + (V.role_labels[c.role] || c.role)); }
    } else if (c.evidence && c.evidence.length) {
      parts.push(el("div", {"class": "note", text: "indices : " + c.evidence.map(quoted).join(", ")}));
    }
    return parts;
  }

  // --- Forms -----------------------------------------------------------------------------------------
  var formId = 0;
  function input(form, key, label, value, attrs) {
    var id = "f" + (++formId) + "-" + key;
    var a = {id: id, name: key, value: value === null || value === undefined ? "" : value};
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    form.appendChild(el("label", {"for": id, text: label}));
    var node = el("input", a);
    node.value = a.value;
    form.appendChild(node);
    return node;
  }
  function select(form, key, label, options, value) {
    var id = "f" + (++formId) + "-" + key;
    form.appendChild(el("label", {"for": id, text: label}));
    var node = el("select", {id: id, name: key}, options.map(function (o) {
      return el("option", {value: o[0], text: o[1] + " (" + o[0] + ")"});
    }));
    node.value = value || options[0][0];
    form.appendChild(node);
    return node;
  }
  function hint(form, text) { form.appendChild(el("span", {"class": "hint", text: text})); }
  function blank(s) { s = (s || "").trim(); return s === "" ? null : s; }

  // Each form returns the new value, or a message saying what is wrong.
  function itemForm(field, v) {
    var form = el("form", {"class": "edit", "data-field": field, novalidate: ""});
    if (field === "organisations") {
      input(form, "name", "Nom", v.name, {required: ""});
      input(form, "acronym", "Sigle", v.acronym);
      form.read = function () {
        var name = blank(form.elements.name.value);
        if (!name) { return "Le nom est obligatoire."; }
        return {name: name, acronym: blank(form.elements.acronym.value)};
      };
    } else if (field === "agreements") {
      select(form, "type", "Type", V.agreement_types, v.type);
      input(form, "date", "Date", v.date, {placeholder: "AAAA, AAAA-MM ou AAAA-MM-JJ"});
      hint(form, "vide : sans date (jamais empruntée à une autre phrase)");
      input(form, "parties", "Parties", (v.parties || []).join("; "));
      hint(form, "sigles, sinon noms, séparés par « ; »");
      form.read = function () {
        var date = blank(form.elements.date.value);
        if (date !== null && !DATE.test(date)) { return "Date : AAAA, AAAA-MM ou AAAA-MM-JJ."; }
        var parties = form.elements.parties.value.split(";").map(function (s) { return s.trim(); })
          .filter(function (s) { return s !== ""; });
        return {type: form.elements.type.value, date: date, parties: parties};
      };
    } else if (field === "dates") {
      input(form, "value", "Valeur", v.value, {required: "", placeholder: "AAAA, AAAA-MM ou AAAA-MM-JJ"});
      hint(form, "à la précision écrite, jamais complétée");
      input(form, "text", "Écrit", v.text);
      form.read = function () {
        var value = blank(form.elements.value.value);
        if (value === null || !DATE.test(value)) { return "Valeur : AAAA, AAAA-MM ou AAAA-MM-JJ."; }
        return {text: blank(form.elements.text.value), value: value, precision: PRECISION_BY_LENGTH[value.length]};
      };
    } else {
      select(form, "code", "Thème", V.themes, v.code);
      form.read = function () { return {code: form.elements.code.value}; };
    }
    return form;
  }
  function partnerForm(v) {
    var form = el("form", {"class": "edit", "data-field": "partner", novalidate: ""});
    input(form, "heading", "Titre", v.heading, {required: ""});
    input(form, "name", "Nom", v.name);
    input(form, "acronym", "Sigle", v.acronym);
    input(form, "published", "Publié le", v.published, {placeholder: "AAAA, AAAA-MM ou AAAA-MM-JJ"});
    hint(form, "vide : la page ne date pas cette section");
    form.read = function () {
      var heading = blank(form.elements.heading.value);
      if (!heading) { return "Le titre est obligatoire."; }
      var published = blank(form.elements.published.value);
      if (published !== null && !DATE.test(published)) { return "Publié le : AAAA, AAAA-MM ou AAAA-MM-JJ."; }
      var out = {section_index: v.section_index, heading: heading, name: blank(form.elements.name.value),
                 acronym: blank(form.elements.acronym.value)};
      if (published !== null) { out.published = published; }
      return out;
    };
    return form;
  }
  function finishForm(form, onSave, onCancel) {
    var error = el("p", {"class": "error", role: "alert", hidden: ""});
    form.appendChild(error);
    form.appendChild(el("div", {"class": "row"}, [el("button", {type: "submit", "data-act": "save", text: "Valider"}),
                                                   button("Annuler", "cancel")]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = form.read();
      if (typeof value === "string") { error.textContent = value; error.hidden = false; return; }
      onSave(value);
    });
    form.querySelector("[data-act=cancel]").addEventListener("click", onCancel);
    return form;
  }

  // --- Drawing ---------------------------------------------------------------------------------------
  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  function changed() { dirty = true; update(); }

  function drawItem(i, field, j) {
    var p = state[i], it = p.lists[field][j];
    var li = el("li", {"class": "item " + it.status + (it.editing ? " editing" : ""), "data-field": field,
                       "data-index": String(j), "data-status": it.status});
    if (it.editing) {
      li.appendChild(finishForm(itemForm(field, it.value), function (value) {
        if (field === "themes" && p.lists.themes.some(function (o, k) {
          return k !== j && o.status !== "rejected" && o.value.code === value.code;
        })) {
          var error = li.querySelector(".error");
          error.textContent = "Ce thème est déjà dans la section."; error.hidden = false; return;
        }
        it.value = value; it.editing = false; it.fresh = false;
        if (it.status !== "added") { it.status = same(value, it.original) ? "accepted" : "corrected"; }
        drawPartner(i); changed();
      }, function () {
        it.editing = false;
        if (it.fresh) { p.lists[field].splice(j, 1); }
        drawPartner(i); update();
      }));
      return li;
    }
    li.appendChild(el("span", {"class": "state", text: STATE_LABELS[it.status]}));
    li.appendChild(el("span", {"class": "desc"}, describe(field, it.value).concat(context(field, it.context))));
    if (it.status === "corrected") {
      li.appendChild(el("div", {"class": "was"}, ["prédit : "].concat(describe(field, it.original))));
    }
    var acts = el("div", {"class": "acts"});
    if (it.status === "pending") {
      acts.appendChild(button("\u2713 Accepter", "accept"));
    }
    if (it.status !== "rejected") {
      acts.appendChild(button("\u270e Corriger", "edit"));
      acts.appendChild(button(it.status === "added" ? "\u2717 Retirer" : "\u2717 Rejeter", "reject"));
    }
    if (it.status !== "pending" && it.status !== "added") { acts.appendChild(button("\u21b6 Annuler", "undo")); }
    li.appendChild(acts);
    acts.addEventListener("click", function (event) {
      var act = event.target.getAttribute("data-act");
      if (!act) { return; }
      if (act === "accept") { it.status = "accepted"; }
      if (act === "edit") { it.editing = true; }
      if (act === "reject") {
        if (it.status === "added") { p.lists[field].splice(j, 1); } else { it.status = "rejected"; }
      }
      if (act === "undo") { it.status = "pending"; it.value = JSON.parse(JSON.stringify(it.original)); }
      drawPartner(i);
      if (act === "edit") { focusForm(i, field, j); } else { changed(); }
    });
    li.addEventListener("mouseenter", function () { spot(i, field, it.original, true); });
    li.addEventListener("mouseleave", function () { spot(i, field, it.original, false); });
    return li;
  }
  function focusForm(i, field, j) {
    var li = document.querySelector('section[data-partner="' + i + '"] li[data-field="' + field +
                                    '"][data-index="' + j + '"]');
    var first = li ? li.querySelector("input, select") : null;
    if (first) { first.focus(); }
  }
  // Outlines the item's marks in the text (those of the predicted item: the marks are the predictions').
  function spot(i, field, v, on) {
    var kind = {organisations: "org", agreements: "agreement", dates: "date"}[field];
    if (!kind || !v) { return; }
    var marks = document.querySelectorAll('section[data-partner="' + i + '"] mark.ent.' + kind);
    for (var k = 0; k < marks.length; k++) {
      var m = marks[k], hit;
      if (kind === "org") { hit = m.getAttribute("data-name") === v.name; }
      if (kind === "date") { hit = m.getAttribute("data-value") === v.value; }
      if (kind === "agreement") {
        hit = m.getAttribute("data-type") === v.type && (m.getAttribute("data-date") || null) === (v.date || null);
      }
      if (hit) { m.classList.toggle("focus", on); }
    }
  }

  function drawPartner(i) {
    var p = state[i];
    var section = document.querySelector('section[data-partner="' + i + '"]');
    section.classList.toggle("rejected", p.status === "rejected");
    // The items are drawn anew: an outline left by the one under the pointer would stay.
    var outlined = section.querySelectorAll("mark.focus");
    for (var k = 0; k < outlined.length; k++) { outlined[k].classList.remove("focus"); }
    var head = section.querySelector(".partner-review");
    head.textContent = "";
    head.setAttribute("data-status", p.status);
    if (p.editing) {
      head.appendChild(finishForm(partnerForm(p.value), function (value) {
        p.value = value; p.editing = false;
        p.status = same(value, p.original) ? "accepted" : "corrected";
        drawPartner(i); changed();
      }, function () { p.editing = false; drawPartner(i); }));
      head.querySelector("input").focus();
    } else {
      var v = p.value;
      head.appendChild(el("span", {"class": "state", text: "Section : " + STATE_LABELS[p.status]}));
      head.appendChild(el("span", {"class": "note", text: ["nom : " + (v.name || "\u2014"),
        "sigle : " + (v.acronym || "\u2014"), "publié : " + (v.published || "\u2014")].join(" \u00b7 ") +
        (p.status === "corrected" ? " (titre : " + v.heading + ")" : "")}));
      var acts = el("span", {"class": "acts"});
      if (p.status === "pending") { acts.appendChild(button("\u2713 Accepter la section", "accept")); }
      if (p.status !== "rejected") {
        acts.appendChild(button("\u270e Corriger", "edit"));
        acts.appendChild(button("\u2717 Rejeter la section", "reject", {
          title: "Ce n’est pas une section de partenaire : elle sort du gold avec ses éléments."}));
      }
      if (p.status !== "pending") { acts.appendChild(button("\u21b6 Annuler", "undo")); }
      acts.addEventListener("click", function (event) {
        var act = event.target.getAttribute("data-act");
        if (!act) { return; }
        if (act === "accept") { p.status = "accepted"; }
        if (act === "edit") { p.editing = true; }
        if (act === "reject") { p.status = "rejected"; }
        if (act === "undo") { p.status = "pending"; p.value = JSON.parse(JSON.stringify(p.original)); }
        drawPartner(i);
        if (act !== "edit") { changed(); }
      });
      head.appendChild(acts);
    }
    var aside = section.querySelector("aside.review");
    aside.textContent = "";
    FIELDS.forEach(function (f) {
      var list = p.lists[f.name];
      var live = list.filter(function (it) { return it.status !== "rejected"; }).length;
      aside.appendChild(el("h3", {}, [f.kind ? el("span", {"class": "swatch " + f.kind}) : "",
                                     f.title + " (" + live + ")"]));
      var ul = el("ul", {"class": "items", "data-field": f.name});
      list.forEach(function (it, j) { ul.appendChild(drawItem(i, f.name, j)); });
      aside.appendChild(ul);
      if (p.status !== "rejected") {
        var add = button("+ Ajouter " + f.one, "add", {"data-field": f.name});
        add.addEventListener("click", function () {
          // "fresh" until its form is first saved: a cancel removes it, the gold leaves it out.
          list.push({status: "added", value: blankItem(f), original: null, context: null, editing: true, fresh: true});
          drawPartner(i);
          focusForm(i, f.name, list.length - 1);
        });
        aside.appendChild(add);
      }
    });
  }
  function blankItem(f) {
    var v = {};
    f.keys.forEach(function (k) { v[k] = k === "parties" ? [] : null; });
    return v;
  }

  // --- Counting and the gold ---------------------------------------------------------------------------
  function tally() {
    var t = {pending: 0, accepted: 0, corrected: 0, rejected: 0, added: 0};
    state.forEach(function (p) {
      t[p.status] += 1;
      if (p.status === "rejected") { return; }
      FIELDS.forEach(function (f) {
        p.lists[f.name].forEach(function (it) { if (!it.fresh) { t[it.status] += 1; } });
      });
    });
    return t;
  }
  function update() {
    var t = tally();
    var left = document.getElementById("left");
    left.textContent = t.pending === 0 ? "Tout est relu" : t.pending + " élément" + (t.pending > 1 ? "s" : "") +
      " à relire";
    left.setAttribute("data-left", String(t.pending));
    left.classList.toggle("done", t.pending === 0);
    document.getElementById("tally").textContent = t.accepted + " accepté(s) \u00b7 " + t.corrected +
      " corrigé(s) \u00b7 " + t.rejected + " rejeté(s) \u00b7 " + t.added + " ajouté(s)";
  }
  function notes(t) {
    var reviewer = (document.getElementById("reviewer-notes").value || "").trim();
    if (t.accepted + t.corrected + t.rejected + t.added === 0 && !reviewer) { return data.gold.notes; }
    var text = "Drafted by " + data.generator + " from its own predictions, then reviewed against the text " +
      "in the review page: " + t.accepted + " accepted, " + t.corrected + " corrected, " + t.rejected +
      " rejected, " + t.added + " added by the reviewer; " + t.pending + " partners and items still marked \"" +
      MARK + "\": true" + (t.pending ? " (evaluate refuses the file until none is left)." : ".");
    return reviewer ? text + " Reviewer's notes: " + reviewer : text;
  }
  function gold() {
    var t = tally(), out = {};
    Object.keys(data.gold).forEach(function (k) {
      if (k === "notes") { out.notes = notes(t); } else if (k !== "partners") { out[k] = data.gold[k]; }
    });
    out.partners = [];
    state.forEach(function (p) {
      if (p.status === "rejected") { return; }
      var o = {};
      if (p.status === "pending") { o[MARK] = true; }
      Object.keys(pick(p.value, data.partner_keys)).forEach(function (k) { o[k] = p.value[k]; });
      FIELDS.forEach(function (f) {
        o[f.name] = p.lists[f.name].filter(function (it) { return it.status !== "rejected" && !it.fresh; })
          .map(function (it) {
            var x = {};
            if (it.status === "pending") { x[MARK] = true; }
            f.keys.forEach(function (k) { x[k] = it.value[k]; });
            return x;
          });
      });
      out.partners.push(o);
    });
    return out;
  }
  function goldText() { return JSON.stringify(gold(), null, 2) + "\n"; }

  document.getElementById("download").addEventListener("click", function () {
    var text = goldText();
    var url = URL.createObjectURL(new Blob([text], {type: "application/json"}));
    var a = el("a", {href: url, download: data.file});
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
    dirty = false;
    var t = tally();
    document.getElementById("download-status").textContent = t.pending === 0 ? "Téléchargé : " + data.file :
      "Téléchargé : " + data.file + " \u2014 " + t.pending + " élément(s) encore marqué(s) \u00ab " + MARK +
      " \u00bb : evaluate le refusera tant qu’il en reste.";
  });
  document.getElementById("show-json").addEventListener("click", function () {
    var area = document.getElementById("gold-json");
    area.value = goldText();
    area.hidden = false;
  });
  document.getElementById("reviewer-notes").addEventListener("input", function () { dirty = true; });
  document.getElementById("hide-done").addEventListener("change", function (event) {
    document.body.classList.toggle("hide-done", event.target.checked);
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  state.forEach(function (p, i) { drawPartner(i); });
  update();
  document.documentElement.setAttribute("data-review", "ready");
}());
"""


def payload(gold: dict, predictions: dict, config: Config, file_name: str) -> dict:
    """What the page's script reads: the draft, each predicted item's context, the vocabularies."""
    generator = predictions.get("generator") or {}
    return {
        "file": file_name,
        "mark": GOLD_REVIEW,
        "generator": " ".join(str(generator.get(k)) for k in ("name", "version") if generator.get(k)) or "the pipeline",
        "partner_keys": list(GOLD_PARTNER_KEYS),
        "fields": [{"name": name, "title": title, "kind": kind, "keys": list(GOLD_ITEM_KEYS[name]),
                    "one": ONE[name]} for name, title, kind in FIELDS],
        "vocabulary": {
            "agreement_types": [[code, FRENCH_LABELS["agreement_type"][code]] for code in AGREEMENT_TYPES],
            "themes": [[t.code, t.label] for t in config.resources.themes.entries],
            "iso_length": ISO_LENGTH,
            "partial_date": PARTIAL_DATE,
            "precision_labels": FRENCH_LABELS["date_precision"],
            "role_labels": FRENCH_LABELS["date_role"],
            "status_labels": FRENCH_LABELS["agreement_status"],
            "source_labels": FRENCH_LABELS["organisation_source"],
        },
        "gold": gold,
        "context": [_context(p) for p in predictions.get("partners") or []],
    }


def _context(partner: dict) -> dict:
    """What the reviewer reads beside each predicted item: where the text says it."""
    return {
        "organisations": [{"source": o.get("source"), "mentions": list(dict.fromkeys(
            str(m.get("text")) for m in o.get("mentions") or []))} for o in partner.get("organisations") or []],
        "agreements": [{"label": a.get("label"), "status": a.get("status"), "evidence": a.get("evidence")}
                       for a in partner.get("agreements") or []],
        "dates": [{"role": d.get("role")} for d in partner.get("dates") or []],
        "themes": [{"evidence": list(t.get("evidence") or [])} for t in partner.get("themes") or []],
    }


def script_json(value) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element: no ``<``, ``>`` or ``&`` in it, so
    that no string of the data can close the element or open a comment."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render(gold: dict, predictions: dict, config: Config, file_name: str) -> str:
    """The review page of the draft ``gold`` made from ``predictions`` (a run's partners.json content,
    its partners in the draft's order); ``file_name`` is the name the downloaded gold takes."""
    partners = predictions.get("partners") or []
    title = f"Relecture — {file_name}"
    source = gold.get("source")
    data = payload(gold, predictions, config, file_name)
    generator = data["generator"]
    legend = "".join(f'<span><span class="swatch {kind}"></span>{KIND_NAMES[kind]} <code>{KIND_LABELS[kind]}</code>'
                     "</span>" for kind in ("org", "date", "agreement"))
    head = [
        "<!DOCTYPE html>", '<html lang="fr">', "<head>", '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape_html(title)}</title>", f"<style>{CSS}{REVIEW_CSS}</style>", "</head>", "<body>",
        f'<header class="top"><h1>{escape_html(title)}</h1>'
        f'<p class="meta">Brouillon écrit par <b>{escape_html(generator)}</b> à partir de ses propres prédictions '
        f'sur <code>{escape_html(source)}</code> · {len(partners)} section{"s" if len(partners) > 1 else ""}</p>'
        '<p class="warn"><b>Un brouillon hérite des erreurs du pipeline.</b> Chaque section et chaque élément '
        "reste marqué « à relire » (<code>\"review\": true</code>) tant que vous ne l’avez pas lu dans le texte "
        "et accepté, corrigé ou rejeté ; ajoutez ce que le pipeline n’a pas trouvé. Le fichier téléchargé garde "
        "les marques restantes, et <code>evaluate</code> le refuse tant qu’il en reste une.</p></header>",
        "<main>",
        '<div class="toolbar"><div><span id="left" aria-live="polite"></span> '
        '<span id="tally" class="note"></span></div>'
        '<div><button type="button" id="download" class="primary">Télécharger le gold JSON</button> '
        '<label><input type="checkbox" id="hide-done"> masquer ce qui est relu</label> '
        '<span id="download-status" class="note" aria-live="polite"></span></div>'
        f'<div class="legend" aria-label="Légende">{legend}</div></div>',
        "<noscript><p class=\"warn\">Cette page a besoin de JavaScript pour la relecture.</p></noscript>",
    ]
    sections = [_section(i, p) for i, p in enumerate(partners)]
    tail = [
        '<section class="finish"><h2>Terminer</h2>'
        '<label for="reviewer-notes">Notes du relecteur (choix de jugement ; ajoutées aux <code>notes</code> '
        "du gold)</label>"
        '<textarea id="reviewer-notes" rows="3"></textarea>'
        '<p><button type="button" id="show-json">Voir le JSON</button> '
        '<span class="note">(à copier si le navigateur bloque le téléchargement)</span></p>'
        '<textarea id="gold-json" rows="16" readonly hidden aria-label="Gold JSON"></textarea></section>',
        "</main>",
        f'<script type="application/json" id="review-data">{script_json(data)}'
        "</script>",
        f"<script>{SCRIPT}</script>", "</body>", "</html>", "",
    ]
    return "\n".join(head) + "\n" + "".join(sections) + "\n".join(tail)


def _section(i: int, partner: dict) -> str:
    """One partner: its heading, where it stands, its text with the predicted spans marked, and the place
    the script fills with the review controls."""
    badges = "".join(f'<span class="badge" title="{escape_html(t.get("code"))}">'
                     f'{escape_html(t.get("label") or t.get("code"))}</span>' for t in partner.get("themes") or [])
    return (f'<section class="partner" id="p{i + 1}" data-partner="{i}">'
            f'<h2><span class="idx">{escape_html(partner.get("section_index"))}.</span> '
            f'{escape_html(partner.get("heading"))}</h2>'
            f'<p class="meta">{escape_html(partner.get("source"))} § {escape_html(partner.get("section_index"))}'
            + (f' · publié : « {escape_html(partner.get("published_text"))} »' if partner.get("published_text") else "")
            + f'</p><div class="partner-review"></div><div class="themes">{badges}</div>'
            f'<div class="body"><div class="text" lang="fr">{highlighted(partner)}</div>'
            '<aside class="review"></aside></div></section>\n')

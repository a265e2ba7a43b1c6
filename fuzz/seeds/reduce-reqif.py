# Makes the small ReqIF seeds of fuzz/seeds/reqif/ from the large samples in
# ../shared/fixtures/reqif: keeps the types, the first spec objects that fit in LIMIT bytes,
# and the relations and hierarchy entries that refer only to kept objects.
#   python3 fuzz/seeds/reduce-reqif.py SRC.reqif DST.reqif 16000 [prune-types]
import sys, re, xml.etree.ElementTree as ET
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
PRUNE_TYPES = len(sys.argv) > 4
text = open(src, encoding='utf-8').read()
for prefix, uri in re.findall(r'xmlns(?::(\w+))?="([^"]+)"', text):
    ET.register_namespace(prefix or '', uri)
def local(e): return e.tag.split('}')[-1]
def find(e, name):
    for c in e.iter():
        if local(c) == name: return c
def reduce(k):
    root = ET.fromstring(text.encode('utf-8'))
    objs = find(root, 'SPEC-OBJECTS')
    kept = set()
    if objs is not None:
        for i, o in enumerate(list(objs)):
            if i < k: kept.add(o.get('IDENTIFIER'))
            else: objs.remove(o)
    def refd(e):
        return [r.text for r in e.iter() if local(r) == 'SPEC-OBJECT-REF']
    rels = find(root, 'SPEC-RELATIONS')
    if rels is not None:
        for r in list(rels):
            if not all(x in kept for x in refd(r)): rels.remove(r)
    def prune(parent):
        for c in list(parent):
            if local(c) == 'SPEC-HIERARCHY':
                obj = find(c, 'OBJECT')
                ids = [r.text for r in obj.iter() if local(r) == 'SPEC-OBJECT-REF'] if obj is not None else []
                if ids and ids[0] not in kept:
                    parent.remove(c); continue
            prune(c)
    specs = find(root, 'SPECIFICATIONS')
    if specs is not None: prune(specs)
    if PRUNE_TYPES:
        used = {r.text for r in root.iter() if local(r).startswith('ATTRIBUTE-DEFINITION-') and local(r).endswith('-REF')}
        for holder in [e for e in root.iter() if local(e) == 'SPEC-ATTRIBUTES']:
            for a in list(holder):
                if a.get('IDENTIFIER') not in used and local(a) != 'ATTRIBUTE-DEFINITION-STRING':
                    holder.remove(a)
        dused = {r.text for r in root.iter() if local(r).startswith('DATATYPE-DEFINITION-') and local(r).endswith('-REF')}
        dts = find(root, 'DATATYPES')
        if dts is not None:
            for d in list(dts):
                if d.get('IDENTIFIER') not in dused: dts.remove(d)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode')
best = None
for k in range(1, 200):
    out = reduce(k)
    if len(out.encode()) > limit: break
    best = out
if best is None: best = reduce(1)
open(dst, 'w', encoding='utf-8').write(best)
print(dst, len(best.encode()), k - 1)

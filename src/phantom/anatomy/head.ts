/**
 * Head: skull and skull base, brain with CSF spaces, temporal lobes, brainstem, pituitary, orbits and
 * eyes, nasal cavity and sinuses, ears (canal, middle ear, petrous bone, inner ear, mastoid), TMJs,
 * mandible and teeth, oral cavity, salivary glands, pharynx with its constrictors.
 *
 * Canonical head coordinates (mm, head-scaled): x left, y posterior, z up, vertex at 0. Landmarks used
 * (adult averages): globe centres (+-32, -66, -112); sella / pituitary (0, -20, -105); foramen magnum
 * (0, +15, -152); external auditory meatus (+-45..78, +12, -138); condyles (+-50, -1, -142); menton -222.
 */
import { Capsule, Ellipsoid, HalfSpace, HeightSolid, rotEuler, type Shape, Torus, type Vec3 } from '../shapes';
import { Intersect, Offset, Shell, SmoothUnion, Subtract, Union } from '../csg';
import { LEFT, RIGHT, side, type Builder } from './builder';

/** Skull-base height (canonical head z) of the cranial floor at canonical (x, y): anterior, middle and posterior fossae. */
function st(a: number, b: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - a) / (b - a)));
  return t * t * (3 - 2 * t);
}

function baseHeight(x: number, y: number): number {
  const front = -97 - 4 * st(20, 45, Math.abs(x));
  const mid = -134 + 29 * Math.exp(-((x / 17) ** 2));
  const post = -152 + 10 * st(0, 50, Math.abs(x));
  const wMid = st(-42, -26, y) * (1 - st(14, 30, y));
  const wPost = st(14, 30, y);
  const wFront = 1 - st(-42, -26, y);
  return wFront * front + wMid * mid + wPost * post;
}

export interface HeadLandmarks {
  junctionZ: number; // brainstem / spinal cord boundary (subject z)
}

export function buildHead(b: Builder): HeadLandmarks {
  const s = b.s,
    h = s.hu,
    hs = s.hs;
  const cranium = b.get('cranium');
  const scalp = 3 + 2 * s.fat;

  // ---- skull vault and skull base -----------------------------------------------------------
  const base = (off: number, below: boolean): HeightSolid =>
    new HeightSolid(
      (x, y, o) => {
        const xc = x / hs,
          yc = y / hs;
        const z0 = baseHeight(xc, yc);
        o[0] = (z0 + off) * hs;
        o[1] = (baseHeight(xc + 0.5, yc) - z0) / 0.5;
        o[2] = (baseHeight(xc, yc + 0.5) - z0) / 0.5;
      },
      below,
      [-1e4, 1e4, -1e4, 1e4, -1e4, 1e4],
    );
  const outerTable = new Offset(cranium, -scalp);
  const innerTable = new Offset(cranium, -scalp - 6.5 * hs);
  const aboveBase = base(0, false);
  const belowBaseTop = base(0, true);
  // the base is a slab 6 mm thick laterally and about 14 mm in the midline (sphenoid, petrous)
  const bottomC = (xc: number, yc: number): number => baseHeight(xc, yc) - 6 - 8 * Math.exp(-((xc / 35) ** 2));
  const baseBottom = new HeightSolid(
    (x, y, o) => {
      const xc = x / hs,
        yc = y / hs;
      const z0 = bottomC(xc, yc);
      o[0] = z0 * hs;
      o[1] = (bottomC(xc + 0.5, yc) - z0) / 0.5;
      o[2] = (bottomC(xc, yc + 0.5) - z0) / 0.5;
    },
    false,
    [-1e4, 1e4, -1e4, 1e4, -1e4, 1e4],
  );
  const foramen = new Capsule(b.P([0, 24, -120]), b.P([0, 26, -175]), [16 * hs, 16 * hs], [18 * hs, 18 * hs], [0, 1, 0]);
  const vault = new Intersect([outerTable, baseBottom]);
  b.add('skull', new Subtract(vault, [foramen]), h.skull, 0);
  b.add(
    'diploe',
    new Subtract(new Intersect([new Shell(new Offset(cranium, -scalp - 1.8 * hs), 2.8 * hs), baseBottom]), [foramen]),
    h.diploe,
    0,
    { tex: 60 },
  );
  const baseSlab = new Subtract(new Intersect([innerTable, belowBaseTop, baseBottom]), [foramen]);
  b.add('skull base', baseSlab, 0.5 * (h.skull + h.diploe), 0, { tex: 120 });
  // clivus: the ridge from the dorsum sellae to the basion, in front of the brainstem
  b.add(
    'clivus',
    b.tube(
      [
        [0, -15, -108],
        [0, 8, -150],
      ],
      [11, 8],
      [7, 6],
      [0, 1, 0],
    ),
    h.skull * 0.8,
    0,
  );

  // ---- intracranial contents -----------------------------------------------------------------
  const intracranial = new Intersect([innerTable, aboveBase]);
  b.add('CSF', intracranial, h.csf, 0);
  const brainRegion = new Intersect([new Offset(innerTable, -2.2 * hs), base(2, false)]);
  b.add('brain', brainRegion, h.brain, 0, { tex: 2.5 });
  b.add('white matter', new Intersect([new Offset(innerTable, -13 * hs), base(16, false)]), h.whiteMatter, 0, { tex: 2 });
  const vj = b.jit('ventricles', 2, 0.15);
  for (const sg of [LEFT, RIGHT]) {
    b.add('lateral ventricle', b.organ(vj, side([11, 2, -62], sg), [6, 30, 9], [sg * 0.12, 0.2, 0], {}, 0.05), h.csf, 0);
  }
  b.add('third ventricle', b.ell([0, -4, -82], [2.5, 14, 9]), h.csf, 0);
  b.add('fourth ventricle', b.ell([0, 34, -138], [6, 5, 7]), h.csf, 0);
  // tentorium / falx: thin dense dura
  b.add('falx', new Intersect([b.ell([0, 12, -45], [1, 85, 45]), brainRegion]), h.brain + 25, 0);

  // temporal lobes (17 left, 18 right) in the middle cranial fossae, under a CSF (Sylvian) cleft
  for (const sg of [LEFT, RIGHT]) {
    const j = b.jit(`temporal-${sg}`, 2.5, 0.07, 0.05);
    const lobe = b.organ(
      j,
      side([43, -6, -112], sg),
      [20.5, 40, 25],
      [sg * -0.12, -0.25, 0],
      { dents: [{ dir: [-sg, 0, 0.3], cos0: 0.55, depth: 0.25 }] },
      0.05,
    );
    const inBrain = new Intersect([lobe, brainRegion]);
    b.add(
      'sylvian CSF',
      new Intersect([new Offset(lobe, 2.2), brainRegion, new HalfSpace([0, 0, -1], b.P([0, 0, -104]))]),
      h.csf,
      0,
    );
    b.add(sg > 0 ? 'Lobe_Temporal_L' : 'Lobe_Temporal_R', inBrain, h.brain, sg > 0 ? 17 : 18, { tex: 2.5 });
    b.add('temporal white matter', new Offset(inBrain, -6), h.whiteMatter, -1, { tex: 2 });
    b.add('temporal horn', b.tube([side([33, 10, -112], sg), side([36, -18, -118], sg)], 2, 3.5), h.csf, -1, {
      onlyIn: [17, 18],
    });
  }

  // brainstem (1): midbrain, pons, medulla behind the clivus; ends at the foramen magnum
  const bj = b.jit('brainstem', 1.2, 0.06, 0.04);
  const stemPts: Vec3[] = [
    [0, 0, -74],
    [0, 4, -92],
    [0, 10, -112],
    [0, 16, -132],
    [0, 24, -150],
    [0, 28, -168],
  ];
  const junction = b.P([0, 0, -151 + bj.dz * 0.3])[2];
  const stem = b.tube(
    stemPts.map((p) => [p[0], p[1], p[2]] as Vec3),
    [11.5, 13, 14, 10, 8, 6],
    [9.5, 10.5, 11.5, 8.5, 7, 5.5],
    [0, 1, 0],
    [bj.dx * 0.3, bj.dy * 0.3, 0],
    bj.sx,
  );
  b.add('prepontine CSF', new Intersect([new Offset(stem, 3), intracranial]), h.csf, 0);
  b.add('Brainstem', new Intersect([stem, new HalfSpace([0, 0, -1], [0, 0, junction])]), h.brain - 2, 1, { tex: 2 });
  b.keep('stemBelow', new Intersect([stem, new HalfSpace([0, 0, 1], [0, 0, junction])]));

  // pituitary (7) in the sella turcica, cavernous sinuses beside it
  for (const sg of [LEFT, RIGHT]) b.add('cavernous sinus', b.ell(side([12, -19, -106], sg), [5, 9, 6]), h.bloodVen, 0);
  const pj = b.jit('pituitary', 0.8, 0.1, 0.1);
  b.add('sphenoid sinus', b.ell([0, -32, -121], [14, 12, 10], [0, 0, 0], { poly: [0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0] }), -960, 0, {
    tex: 20,
  });
  b.add('Pituitary', b.organ(pj, [0, -20, -105], [6.2, 4.6, 3.3], [0, 0, 0], {}, 0.03), h.brain + 10, 7);

  // ---- face: facial skeleton, sinuses, orbits, eyes -------------------------------------------
  // midface: soft tissue with thin-walled air spaces (sinuses, nasal cavity), cheekbones, alveolar ridge
  b.add('midface', b.ell([0, -50, -146], [50, 30, 30], [0, 0, 0], { poly: [0, 0.1, 0, 0, 0, 0, 0, 0, 0, 0] }), h.muscle - 8, 0, {
    tex: 10,
  });
  const upperArch: Vec3[] = [-3, -2, -1, 0, 1, 2, 3].map((t) => [t * 10, -66 + 0.032 * (t * 10) ** 2, -168]);
  b.add('alveolar ridge', b.tube(upperArch, 7, 8), h.cortical * 0.55, 0, { tex: 60 });
  for (const sg of [LEFT, RIGHT]) {
    b.add('zygoma', b.ell(side([47, -58, -134], sg), [9, 12, 12]), h.cortical * 0.6, 0, { tex: 80 });
    b.add(
      'zygomatic arch',
      b.tube([side([48, -52, -128], sg), side([60, -30, -131], sg), side([63, -8, -133], sg)], 3.5, 5),
      h.cortical,
      0,
    );
    const sinus = b.ell(side([26, -54, -150], sg), [12, 15, 16]);
    b.add('maxillary sinus wall', new Offset(sinus, 1.8), h.cortical * 0.6, 0);
    b.add('maxillary sinus', sinus, -970, 0, { tex: 15 });
    b.add('orbit wall', b.ell(side([31, -56, -112], sg), [20, 27, 19]), h.cortical * 0.7, 0);
  }
  const nasal = b.ell([0, -62, -147], [12, 30, 23]);
  b.add('nasal wall', new Offset(nasal, 1.5), h.cortical * 0.5, 0);
  b.add('nasal cavity', nasal, -900, 0, { tex: 120 });
  b.add('nasal septum', b.ell([0, -62, -147], [1.2, 28, 20]), 300, 0);
  for (const sg of [LEFT, RIGHT])
    b.add('turbinate', b.tube([side([8, -78, -152], sg), side([9, -40, -154], sg)], 3.5, 5), h.muscle, 0);
  b.add('ethmoid cells', b.ell([0, -66, -114], [10, 17, 12]), -650, 0, { tex: 250 });
  b.add('hard palate', b.ell([0, -48, -166], [24, 28, 3]), h.cortical * 0.8, 0);
  for (const sg of [LEFT, RIGHT]) {
    b.add('orbital fat', b.ell(side([31, -55, -112], sg), [18, 25, 17]), h.fat, 0, { tex: 6 });
    b.add(
      'optic nerve',
      b.tube([side([29, -56, -112], sg), side([20, -40, -109], sg), side([11, -27, -106], sg)], 2.4),
      h.muscle - 10,
      0,
    );
    b.add('lateral rectus', b.tube([side([43, -62, -112], sg), side([28, -34, -110], sg)], 2.2, 4), h.muscle, 0);
    b.add('medial rectus', b.tube([side([20, -62, -112], sg), side([19, -34, -110], sg)], 2.2, 4), h.muscle, 0);
    const ej = b.jit(`eye-${sg}`, 1, 0.025, 0.03);
    const eye = b.organ(ej, side([32, -66, -112], sg), [12, 12.3, 11.8], [0, 0, 0], {}, 0.01);
    b.add(sg > 0 ? 'Eye_L' : 'Eye_R', eye, h.muscle, sg > 0 ? 5 : 6);
    b.add('vitreous', new Offset(eye, -1.1), h.vitreous, -1);
    b.add(
      'lens',
      new Ellipsoid(add3(b.P(side([32, -75.5, -112], sg)), [ej.dx, ej.dy, ej.dz]), [4.5 * hs, 1.9 * hs, 4.5 * hs]),
      h.lens,
      -1,
      { onlyIn: [5, 6] },
    );
  }

  // ---- ears: canal, middle ear, mastoid, petrous bone, inner ear (3 left, 4 right) ------------
  for (const sg of [LEFT, RIGHT]) {
    b.add('pinna', b.ell(side([79, 14, -136], sg), [4, 13, 26], [sg * 0.1, 0, 0]), h.cartilage * 0.5, 0);
    b.add('mastoid', b.ell(side([49, 32, -145], sg), [11, 13, 15]), -350, 0, { tex: 420 });
    b.add(
      'petrous bone',
      b.tube([side([56, 30, -134], sg), side([34, 13, -128], sg), side([14, -2, -125], sg)], [10, 10, 6], [9, 11, 6], [0, 0, 1]),
      h.petrous,
      0,
    );
    b.add(
      'ear canal',
      b.tube([side([82, 12, -138], sg), side([58, 12, -137], sg), side([46, 12, -135], sg)], 3.8, 4.2),
      h.airway,
      0,
    );
    b.add('middle ear', b.ell(side([45, 12, -134], sg), [3.2, 6, 6]), -850, 0, { tex: 60 });
    const j = b.jit(`inner-ear-${sg}`, 0.6, 0.06, 0.05);
    const o: Vec3 = [j.dx, j.dy, j.dz];
    const ear: Shape[] = [
      b.ell(side([29, 6, -131], sg), [4.2 * j.sx, 3.2 * j.sx, 2.6 * j.sx], [sg * 0.5, 0, 0.2], {}, o),
      b.ell(side([34, 14, -128], sg), [3, 2.6, 2.6], [0, 0, 0], {}, o),
      new Torus(add3(b.P(side([37.5, 18, -127], sg)), o), rotEuler(0, 0, 0), 3.4 * hs, 0.95 * hs),
      new Torus(add3(b.P(side([35, 18, -122], sg)), o), rotEuler(sg * 0.7, Math.PI / 2, 0), 3.6 * hs, 0.95 * hs),
      new Torus(add3(b.P(side([38, 24, -129], sg)), o), rotEuler(sg * -0.7, Math.PI / 2, 0), 3.4 * hs, 0.95 * hs),
    ];
    b.add(sg > 0 ? 'Ear_Internal_L' : 'Ear_Internal_R', new Union(ear), h.csf + 15, sg > 0 ? 3 : 4);
  }

  // ---- jaw: masseters, parotids (around the ramus), mandible, TMJs, teeth ----------------------
  // the TMJs cap the condyles and the parotids wrap the ramus: shapes first, then painted so that
  // neighbours only touch (each subtracts the ones it abuts)
  const tmjs = [LEFT, RIGHT].map((sg) => {
    const j = b.jit(`tmj-${sg}`, 0.8, 0.08, 0.05);
    return { sg, j, shape: b.organ(j, side([50, -1, -142], sg), [10, 6, 6], [sg * 0.25, 0, 0], {}, 0.03) };
  });
  for (const sg of [LEFT, RIGHT]) {
    b.add('masseter', b.ell(side([57, -16, -172], sg), [7, 13, 26], [sg * 0.1, 0.15, 0]), h.muscle, 0, { tex: 4 });
    b.add('medial pterygoid', b.ell(side([36, -4, -172], sg), [5, 10, 22], [sg * -0.2, 0.2, 0]), h.muscle, 0, { tex: 4 });
    b.add('lateral pterygoid', b.ell(side([38, -12, -143], sg), [9, 8, 6]), h.muscle, 0, { tex: 4 });
    const j = b.jit(`parotid-${sg}`, 2, 0.07, 0.06);
    const sup = b.organ(j, side([58, 10, -165], sg), [10, 19, 26], [sg * 0.1, 0, 0], {}, 0.06);
    const deep = b.ell(side([43, 24, -168], sg), [7, 9, 15], [0, 0, 0], {}, [j.dx, j.dy, j.dz]);
    const parotid = new Subtract(
      new SmoothUnion([sup, deep], 6),
      tmjs.map((t) => t.shape),
      1,
    );
    b.add(sg > 0 ? 'Parotid_L' : 'Parotid_R', parotid, h.parotid, sg > 0 ? 11 : 12, { tex: 10, tex2: 6 });
    b.add('retromandibular vein', b.tube([side([50, 12, -150], sg), side([49, 14, -190], sg)], 2.5), h.bloodVen, -1, {
      onlyIn: [11, 12],
    });
  }
  const mj = b.jit('mandible', 1.5, 0.04, 0.03);
  const arch: Vec3[] = [
    [46, 6, -196],
    [41, -16, -201],
    [31, -40, -205],
    [18, -57, -207],
    [0, -66, -208],
  ];
  const jawShift: Vec3 = [mj.dx, mj.dy, mj.dz];
  const bodyPts = [
    ...arch.map((p) => side(p, RIGHT)),
    ...arch
      .slice(0, -1)
      .reverse()
      .map((p) => side(p, LEFT)),
  ];
  const bodyR2 = [6, 6, 6.5, 7, 7.5, 7, 6.5, 6, 6];
  const bodyR3 = [13, 13.5, 14, 14.5, 15, 14.5, 14, 13.5, 13];
  const parts = (shrink: number): Shape[] => {
    const p: Shape[] = [
      b.tube(
        bodyPts,
        bodyR2.map((v) => v - shrink),
        bodyR3.map((v) => v - shrink),
        [0, 0, 1],
        jawShift,
        mj.sx,
      ),
    ];
    for (const sg of [LEFT, RIGHT]) {
      p.push(b.tube([side([50, -1, -138], sg), side([49, 0, -152], sg)], 5 - shrink, 5.5 - shrink, [0, 1, 0], jawShift));
      p.push(b.tube([side([49, 0, -150], sg), side([46, 5, -196], sg)], 4.5 - shrink, 13 - shrink, [0, 1, 0], jawShift));
      p.push(b.tube([side([45, -17, -150], sg), side([46, -9, -186], sg)], 3.5 - shrink, 5 - shrink, [0, 1, 0], jawShift));
    }
    return p;
  };
  // lower teeth belong to the mandible contour; upper teeth sit in the maxilla (unlabelled)
  const teeth = (upper: boolean): Shape[] => {
    const k = 0.032,
      out: Shape[] = [];
    for (let t = -3; t <= 3; t++) {
      const x = t * 9.5 * (upper ? 1 : 0.97);
      const y = (upper ? -68 : -63) + k * x * x;
      out.push(
        b.ell([x, y, upper ? -172 : -185], [4.2, 4.2, 6.5], [Math.atan2(2 * k * x, 1), 0, 0], {}, upper ? [0, 0, 0] : jawShift),
      );
    }
    return out;
  };
  const lowerTeeth = new Union(teeth(false)),
    upperTeeth = new Union(teeth(true));
  const mandible = new Subtract(
    new Union(parts(0)),
    tmjs.map((t) => t.shape),
    0.5,
  );
  b.add('Bone_Mandible', mandible, h.mandibleCortex, 9, { carves: [11, 12] });
  b.add('mandible marrow', new Union(parts(2.4)), h.mandibleMarrow, -1, { tex: 50, onlyIn: [9] });
  b.add('lower teeth', lowerTeeth, h.teeth, 9);
  b.add('upper teeth', upperTeeth, h.teeth, 0);
  for (const { sg, j, shape } of tmjs) {
    b.add(sg > 0 ? 'Joint_TM_L' : 'Joint_TM_R', shape, h.muscle + 10, sg > 0 ? 19 : 20);
    b.add(
      'condyle',
      b.ell(side([50, -1, -143], sg), [8, 4, 4.2], [sg * 0.25, 0, 0], {}, [j.dx, j.dy, j.dz]),
      h.mandibleCortex * 0.7,
      -1,
      { onlyIn: [19, 20] },
    );
  }

  // ---- oral cavity (10), tongue air, sublingual (16) and submandibular glands (13, 14) ----------
  const oj = b.jit('oral', 1.5, 0.07, 0.04);
  const oralEll = b.organ(oj, [0, -34, -183], [27, 30, 17], [0, 0, 0], { poly: [0, 0.05, 0.08, 0, 0, 0, 0, 0, 0, 0] }, 0.04);
  const oral = new Subtract(oralEll, [mandible, lowerTeeth, upperTeeth], 0.8);
  b.add('Cavity_Oral', oral, h.tongue, 10, { tex: 6 });
  b.add('oral air', new Intersect([oral, new HalfSpace([0, 0, -1], b.P([0, 0, -172 + oj.rng.uniform(-3, 2)]))]), -900, -1, {
    onlyIn: [10],
  });
  const sj = b.jit('sublingual', 1, 0.1, 0.05);
  const sublingual = new Subtract(
    new Union([LEFT, RIGHT].map((sg) => b.organ(sj, side([12, -44, -208], sg), [6, 14, 5.5], [sg * 0.4, 0, 0], {}, 0.04))),
    [mandible, oralEll],
    1,
  );
  b.add('Glnd_Sublingual', sublingual, h.sublingual, 16, { tex: 4 });
  for (const sg of [LEFT, RIGHT]) {
    const j = b.jit(`smg-${sg}`, 1.5, 0.1, 0.08);
    const smg = new Subtract(b.organ(j, side([32, -20, -224], sg), [11.5, 15, 11.5], [sg * 0.3, 0, 0], {}, 0.05), [mandible], 1);
    b.add(sg > 0 ? 'Glnd_Submand_L' : 'Glnd_Submand_R', smg, h.smg, sg > 0 ? 13 : 14, { tex: 4 });
  }

  // ---- pharynx airway and constrictors (2) -----------------------------------------------------
  const cj = b.jit('pharynx', 1, 0.06, 0.03);
  const ph: Vec3[] = [
    [0, -16, -138],
    [0, -10, -160],
    [0, -7, -185],
    [0, -3, -210],
    [0, 0, -235],
    [0, 4, -258],
  ];
  const lumen = b.tube(ph, [12, 12, 11, 12, 12, 7], [7, 7, 6, 5, 5, 3.5], [0, 1, 0], [cj.dx, cj.dy, 0], cj.sx);
  const outer = new Offset(lumen, 4.6);
  const constrictor = new Intersect([
    new Subtract(outer, [new Offset(lumen, 1.6)]),
    // posterior and lateral walls only: behind a plane 2 mm in front of the lumen's centre line
    new HalfSpace([0, -1, -0.167], b.P([0, -7.6 + cj.dy / hs, -200])),
    new HalfSpace([0, 0, 1], b.P([0, 0, -150])),
    new HalfSpace([0, 0, -1], b.P([0, 0, -262])),
  ]);
  b.add('Musc_Constrict', constrictor, h.muscle, 2, { tex: 4 });
  b.add('pharynx', new Intersect([lumen, new HalfSpace([0, 0, -1], b.P([0, 0, -255]))]), h.airway, 0);
  b.add(
    'soft palate',
    b.tube(
      [
        [0, -44, -168],
        [0, -22, -176],
      ],
      9,
      4,
    ),
    h.muscle,
    0,
  );

  return { junctionZ: junction };
}

function add3(a: Vec3, b: Vec3): Vec3 {
  return [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
}

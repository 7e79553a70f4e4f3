/**
 * The painter's model (docs/webrtc.md "Painter"): what was drawn, as a list of operations, the undo/redo stacks and
 * the rendering onto a 2D context. No DOM here beyond the context's drawing calls: PainterCanvas.vue feeds it
 * pointer positions and owns the <canvas>.
 */

export type Tool = 'brush' | 'eraser' | 'line' | 'rect' | 'ellipse';

/** A pointer position in canvas pixels; `p` is the pressure, 0..1 (0.5 for a mouse or a finger). */
export interface Point {
  x: number;
  y: number;
  p: number;
}

/** A freehand line; the eraser's is painted in the background colour. */
export interface Stroke {
  kind: 'stroke';
  erase: boolean;
  colour: string;
  size: number;
  points: Point[];
}

export interface Shape {
  kind: 'line' | 'rect' | 'ellipse';
  colour: string;
  size: number;
  from: Point;
  to: Point;
}

/** "Clear" is an operation, not a reset, so that it can be undone like the rest. */
export interface Clear {
  kind: 'clear';
}

export type Operation = Stroke | Shape | Clear;

/** The drawing calls the painter makes: a CanvasRenderingContext2D, or a recording fake in the unit tests. */
export type Context2D = Pick<
  CanvasRenderingContext2D,
  | 'fillStyle'
  | 'strokeStyle'
  | 'lineWidth'
  | 'lineCap'
  | 'lineJoin'
  | 'fillRect'
  | 'strokeRect'
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'arc'
  | 'ellipse'
  | 'stroke'
  | 'fill'
>;

export const BACKGROUND = '#ffffff';

/** The swatches of the toolbar, named for screen readers; any other colour comes from the colour input. */
export const COLOURS = [
  { name: 'Black', value: '#1f2328' },
  { name: 'Red', value: '#e5484d' },
  { name: 'Orange', value: '#f76b15' },
  { name: 'Yellow', value: '#ffc53d' },
  { name: 'Green', value: '#30a46c' },
  { name: 'Blue', value: '#0090ff' },
  { name: 'Purple', value: '#8e4ec6' },
  { name: 'White', value: '#ffffff' },
] as const;

/** Brush sizes in canvas pixels (the canvas is 1280 px wide, shown smaller). */
export const SIZES = [
  { name: 'Thin', value: 4 },
  { name: 'Medium', value: 10 },
  { name: 'Thick', value: 24 },
] as const;

/**
 * Line width at a pressure: a mouse or finger (0.5) draws `size`; a pen goes from a quarter of it to 1.75×.
 * Pressure 0 (a pen that reports none) counts as a mouse.
 */
export function widthAt(size: number, pressure: number): number {
  const p = pressure > 0 ? pressure : 0.5;
  return size * (0.25 + 1.5 * p);
}

/** What the view has to repaint after a pointer move: one new segment on top, or everything (a shape preview). */
export type Repaint = 'none' | 'segment' | 'all';

export class Painting {
  readonly width: number;
  readonly height: number;
  tool: Tool = 'brush';
  colour: string = COLOURS[0].value;
  size: number = SIZES[1].value;
  #done: Operation[] = [];
  #undone: Operation[] = [];
  /** The stroke or shape under the pointer, not yet in the history. */
  #current: Stroke | Shape | null = null;

  constructor(width = 1280, height = 720) {
    this.width = width;
    this.height = height;
  }

  get canUndo(): boolean {
    return this.#done.length > 0;
  }

  get canRedo(): boolean {
    return this.#undone.length > 0;
  }

  /** Nothing shows: no operation since the start or the last clear. */
  get isEmpty(): boolean {
    return this.visible().length === 0 && this.#current === null;
  }

  get drawing(): boolean {
    return this.#current !== null;
  }

  /** The operations that show: those after the last "clear". */
  visible(): readonly (Stroke | Shape)[] {
    let start = this.#done.length;
    while (start > 0 && this.#done[start - 1]?.kind !== 'clear') {
      start--;
    }
    return this.#done.slice(start) as (Stroke | Shape)[];
  }

  begin(point: Point): Repaint {
    const at = this.#clamp(point);
    if (this.tool === 'brush' || this.tool === 'eraser') {
      const erase = this.tool === 'eraser';
      this.#current = {
        kind: 'stroke',
        erase,
        colour: erase ? BACKGROUND : this.colour,
        size: this.size,
        points: [at],
      };
      return 'segment';
    }
    this.#current = { kind: this.tool, colour: this.colour, size: this.size, from: at, to: at };
    return 'all';
  }

  move(point: Point): Repaint {
    const current = this.#current;
    if (!current) {
      return 'none';
    }
    const at = this.#clamp(point);
    if (current.kind === 'stroke') {
      const last = current.points[current.points.length - 1];
      if (last && last.x === at.x && last.y === at.y) {
        return 'none';
      }
      current.points.push(at);
      return 'segment';
    }
    current.to = at;
    return 'all';
  }

  /** The pointer is up: the stroke or shape joins the history, and what was undone can no longer be redone. */
  end(): void {
    const current = this.#current;
    this.#current = null;
    if (current) {
      this.#push(current);
    }
  }

  /** The pointer left for good (pointercancel): what was being drawn goes. */
  cancel(): Repaint {
    const had = this.#current !== null;
    this.#current = null;
    return had ? 'all' : 'none';
  }

  undo(): boolean {
    const op = this.#done.pop();
    if (op) {
      this.#undone.push(op);
    }
    return op !== undefined;
  }

  redo(): boolean {
    const op = this.#undone.pop();
    if (op) {
      this.#done.push(op);
    }
    return op !== undefined;
  }

  /** Clearing an empty canvas adds nothing to undo. */
  clear(): boolean {
    if (this.visible().length === 0) {
      return false;
    }
    this.#push({ kind: 'clear' });
    return true;
  }

  /** Everything: the background, each visible operation, then what is being drawn. */
  render(ctx: Context2D): void {
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, this.width, this.height);
    for (const op of this.visible()) {
      drawOperation(ctx, op);
    }
    if (this.#current) {
      drawOperation(ctx, this.#current);
    }
  }

  /** Only the newest segment of the stroke being drawn (segments are drawn one by one in render too). */
  renderSegment(ctx: Context2D): void {
    const current = this.#current;
    if (current?.kind !== 'stroke') {
      return;
    }
    const n = current.points.length;
    drawSegment(ctx, current, n - 1);
  }

  #push(op: Operation): void {
    this.#done.push(op);
    this.#undone = [];
  }

  #clamp(point: Point): Point {
    const round = (v: number, max: number) => Math.round(Math.min(Math.max(v, 0), max) * 10) / 10;
    return { x: round(point.x, this.width), y: round(point.y, this.height), p: point.p };
  }
}

function drawOperation(ctx: Context2D, op: Stroke | Shape): void {
  if (op.kind === 'stroke') {
    for (let i = 0; i < op.points.length; i++) {
      drawSegment(ctx, op, i);
    }
    return;
  }
  ctx.strokeStyle = op.colour;
  ctx.lineWidth = op.size;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const { from, to } = op;
  if (op.kind === 'line') {
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  } else if (op.kind === 'rect') {
    ctx.strokeRect(Math.min(from.x, to.x), Math.min(from.y, to.y), Math.abs(to.x - from.x), Math.abs(to.y - from.y));
  } else {
    ctx.beginPath();
    ctx.ellipse(
      (from.x + to.x) / 2,
      (from.y + to.y) / 2,
      Math.abs(to.x - from.x) / 2,
      Math.abs(to.y - from.y) / 2,
      0,
      0,
      Math.PI * 2,
    );
    ctx.stroke();
  }
}

/** Point i of a stroke: a dot for the first, else a line from the point before, as wide as their mean pressure. */
function drawSegment(ctx: Context2D, stroke: Stroke, i: number): void {
  const point = stroke.points[i];
  if (!point) {
    return;
  }
  const previous = stroke.points[i - 1];
  if (!previous) {
    ctx.fillStyle = stroke.colour;
    ctx.beginPath();
    ctx.arc(point.x, point.y, widthAt(stroke.size, point.p) / 2, 0, Math.PI * 2);
    ctx.fill();
    return;
  }
  ctx.strokeStyle = stroke.colour;
  ctx.lineWidth = widthAt(stroke.size, (previous.p + point.p) / 2);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.beginPath();
  ctx.moveTo(previous.x, previous.y);
  ctx.lineTo(point.x, point.y);
  ctx.stroke();
}

/** The part of a <canvas> the export needs. */
export interface Exportable {
  toBlob(callback: (blob: Blob | null) => void, type?: string, quality?: number): void;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/webp': 'webp', 'image/jpeg': 'jpg' };

/**
 * The drawing as an image file to attach, named after what the browser really encoded: a browser that cannot
 * write the requested type (Safari and WebP) hands back a PNG, and the name must not say otherwise.
 */
export function exportDrawing(canvas: Exportable, type = 'image/png', name = 'drawing'): Promise<File> {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => {
        if (!blob || blob.size === 0) {
          reject(new Error('The drawing could not be turned into an image'));
          return;
        }
        const actual = blob.type || 'image/png';
        resolve(new File([blob], `${name}.${EXTENSIONS[actual] ?? 'png'}`, { type: actual }));
      },
      type,
      // Lossy formats at their best: a drawing has flat colours and sharp edges.
      1,
    );
  });
}

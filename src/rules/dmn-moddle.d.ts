/** The part of dmn-moddle's API Baton uses; the package ships no type declarations. */
declare module 'dmn-moddle' {
  /** A model element: known DMN properties by name, foreign attributes in `$attrs`. */
  export interface ModdleElement {
    readonly $type: string;
    $attrs: Record<string, string>;
    [property: string]: unknown;
  }

  export interface ParseWarning {
    message: string;
  }

  export class DmnModdle {
    fromXML(
      xml: string,
      typeName?: string,
    ): Promise<{ rootElement: ModdleElement; warnings: ParseWarning[] }>;
    toXML(element: ModdleElement, options?: { format?: boolean }): Promise<{ xml: string }>;
    create(type: string, properties?: Record<string, unknown>): ModdleElement;
  }
}

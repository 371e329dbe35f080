// @peculiar/x509 needs a Reflect polyfill before it is first imported.
import 'reflect-metadata'

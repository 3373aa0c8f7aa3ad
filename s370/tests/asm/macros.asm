*        MACROS: KEYWORDS, SUBLISTS, GLOBALS, LOOPS, MNOTE.
         MACRO
&NAME    TABLE &ITEMS,&WIDTH=4
         GBLA  &TABLES
         LCLA  &I,&N
&TABLES  SETA  &TABLES+1
&N       SETA  N'&ITEMS
&NAME    DC    AL1(&N)
&I       SETA  1
.LOOP    AIF   (&I GT &N).DONE
         DC    CL&WIDTH'&ITEMS(&I)'
&I       SETA  &I+1
         AGO   .LOOP
.DONE    MNOTE 0,'TABLE &TABLES HAS &N ENTRIES'
         MEND
         MACRO
&L       SETREG &R,&V
         AIF   (T'&V EQ 'N').NUM
&L       L     &R,&V
         MEXIT
.NUM     ANOP
&L       LA    &R,&V
         MEND
MACS     CSECT
         USING *,15
         SETREG 1,100
         SETREG 2,WORD
COLORS   TABLE (RED,GREEN,BLUE)
SIZES    TABLE (S,M,L,XL),WIDTH=2
WORD     DC    F'7'
         END
